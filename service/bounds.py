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
