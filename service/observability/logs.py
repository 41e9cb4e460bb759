"""Structured logs: one JSON object per line with time, level, logger, message and the request id.

`QINGFENG_LOG_FORMAT=text` gives the classic one-line format for a terminal. Fields passed with
`extra={...}` become keys of the object, except any whose name starts with `reporter_`: the
reporter's identity never reaches a log (the message itself must never carry it either; the request
log line holds only method, route, status, duration, user id and request id).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from service.cases import request_ids

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "qingfeng"


class JsonFormatter(logging.Formatter):
    """A LogRecord as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        body = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        request_id = getattr(record, "request_id", None) or request_ids.current()
        if request_id:
            body["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in body and not key.startswith("reporter_"):
                body[key] = value
        if record.exc_info:
            body["exc"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = request_ids.current()
        return f"{line} [{request_id}]" if request_id else line


def configure(fmt: str | None = None, level: int = logging.INFO) -> None:
    """Install one stderr handler on the root logger (idempotent: create_app runs once per process)."""
    fmt = (fmt or os.environ.get("QINGFENG_LOG_FORMAT", "json")).lower()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # per-task state lines: noise, and slow at volume
    logging.getLogger("SpiffWorkflow").setLevel(logging.WARNING)
