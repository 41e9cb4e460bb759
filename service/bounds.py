"""Numeric bounds of the contract: what an id or a page number may be, checked before any query.

Ids are `integer` columns (32-bit on PostgreSQL); a larger number can name nothing, and handing it to
the database raises an overflow instead of "not found". So a path id above MAX_ID matches no route
(404) and an id or page number in a query string or body outside its range is invalid input (422).
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000  # with at most 200 per page, far past any real list; keeps OFFSET a small number


class IdConverter(IntegerConverter):
    """`<int:…>` in this app: a positive database id, at most MAX_ID (documented as such in OpenAPI)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


MAX_JSON_DEPTH = 64  # form data nests a few levels; Python's JSON parser recurses, so a deep body is refused first
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects in a JSON text nest deeper than `limit` (strings are skipped; no recursion)."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if match[0] in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
NOT_TEXT = "请求体须为 UTF-8 编码的 JSON 文本，不能含不成对的代理字符"


def json_refusal(raw: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why a JSON body is refused before anything parses it, judged from its raw bytes, or None.

    Nested deeper than `limit` (the parser recurses); not UTF-8 (the parser would also take UTF-16 and lone
    surrogates encoded as bytes); a NUL character or a lone surrogate written as a `\\u` escape (PostgreSQL
    refuses both in text). Anything else that is not JSON is left to the parser (400 invalid_json)."""
    if json_too_deep(raw, limit):
        return f"JSON 嵌套过深（超过 {limit} 层）"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_TEXT
    if "\x00" in text:
        return "不能包含 NUL 字符"
    high_end = None   # where an unpaired high surrogate escape ends
    for match in _JSON_ESCAPE.finditer(text):   # an escaped backslash is one escape: `\\\\u0000` is no NUL
        escape = match[1]
        code = int(escape[1:], 16) if len(escape) == 5 else None
        if high_end is not None:
            if code is not None and 0xDC00 <= code <= 0xDFFF and match.start() == high_end:
                high_end = None
                continue
            return NOT_TEXT
        if code == 0:
            return "不能包含 NUL 字符"
        if code is not None and 0xD800 <= code <= 0xDBFF:
            high_end = match.end()
        elif code is not None and 0xDC00 <= code <= 0xDFFF:
            return NOT_TEXT
    return None if high_end is None else NOT_TEXT
