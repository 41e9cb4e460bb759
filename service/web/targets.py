"""Where to send a user back to after login or a form: a path on this site, never another site."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

_MAX_DECODINGS = 4  # a path percent-encoded more often than this is refused rather than followed
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # controls, format marks, spaces: browsers strip or mangle them


def is_same_site_path(target: str) -> bool:
    """True for an absolute path on this site in every percent-decoding of it.

    Browsers drop tabs and newlines inside URLs, read a backslash as a slash and a leading `//` as
    another host, so `/\\t/evil.example`, `/\\\\evil.example` and `/%2F/evil.example` (once a proxy
    decodes it) all leave the site; each decoding of the target must stay a plain local path.
    """
    current = target
    for _ in range(_MAX_DECODINGS + 1):
        if not _plain_local_path(current):
            return False
        decoded = unquote(current)
        if decoded == current:
            return True
        current = decoded
    return False


def _plain_local_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith(("//", "/\\")):
        return False
    if "\\" in text or any(unicodedata.category(ch) in _INVISIBLE for ch in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_target(target: str | None, default: str) -> str:
    """`target` when it is a same-site path, otherwise `default`."""
    return target if target and is_same_site_path(target) else default
