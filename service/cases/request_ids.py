"""The id of the request (or timer pass) being served: in every log line, response header and audit event."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")  # what a proxy's id looks like; anything else is replaced
_current: ContextVar[str | None] = ContextVar("qingfeng_request_id", default=None)


def current() -> str | None:
    """The id of the work in progress, or None outside a request or timer pass (CLI, tests)."""
    return _current.get()


def new(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex


def accept(incoming: str | None) -> str:
    """A reverse proxy's id when it looks like one (so its log and ours match), else a fresh one."""
    return incoming if incoming and _SANE.match(incoming) else new()


def bind(request_id: str | None):
    """Make `request_id` current; returns the token for `reset`."""
    return _current.set(request_id)


def reset(token) -> None:
    _current.reset(token)
