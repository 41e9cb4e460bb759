r"""Form schemas (JSON Schema 2020-12) are data, never a reach outside, and never a CPU sink.

- References: only local ones (`#/$defs/x`) resolve.  Check and deploy refuse any other `$ref` or
  `$dynamicRef` (http, file, relative paths, urn, ...) and a nested `$id` (it would re-base local
  references); validation uses an empty registry that never retrieves anything, so even a schema
  that slipped past the check cannot make the server fetch a URL or read a file.
- Patterns: `pattern`, `patternProperties` (and `additionalProperties`/`unevaluatedProperties`, which
  match property names against `patternProperties`) run on RE2 (google-re2), which matches in time
  linear in the input: `^(a+)+$` against a long input cannot backtrack.  RE2 has no back-references
  or look-around; check and deploy refuse such patterns.  Like JSON Schema's ECMA-262 dialect, `\d`
  and `\w` are ASCII; `\uXXXX` escapes are accepted.  jsonschema calls `re.search` in two modules for
  those keywords; `install()` points their `re` at the RE2 stand-in (the tests check it holds).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache

import re2
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import _keywords as js_keywords
from jsonschema import _utils as js_utils
from referencing import Registry
from referencing.exceptions import Unresolvable

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_UNICODE_ESCAPE = re.compile(r'(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})')
_lock = threading.Lock()
_installed = False


class PatternUnsupported(Exception):  # noqa: N818 - reads as what happened
    """A pattern RE2 cannot run (back-reference, look-around, or not a regular expression at all)."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str):
    """The RE2 program of a JSON Schema pattern; raise PatternUnsupported with RE2's reason."""
    if not isinstance(pattern, str):
        raise PatternUnsupported(f"不是文本: {pattern!r}")
    try:
        return re2.compile(_UNICODE_ESCAPE.sub(r'\1\\x{\2}', pattern), options=_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode('utf-8', 'replace') if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternUnsupported(reason)


def _search(pattern, string, flags=0):
    return compile_pattern(pattern).search(string)


class _Re2:
    """Stands in for the `re` module where jsonschema matches patterns."""

    search = staticmethod(_search)

    def __getattr__(self, name):
        return getattr(re, name)


def install() -> None:
    """Route jsonschema's pattern matching through RE2 (idempotent, thread-safe)."""
    global _installed
    with _lock:
        if not _installed:
            js_keywords.re = _Re2()
            js_utils.re = _Re2()
            _installed = True


def form_validator(schema: dict) -> Draft202012Validator:
    """A validator that resolves only references inside `schema` and matches patterns with RE2."""
    install()
    return Draft202012Validator(schema, format_checker=FormatChecker(), registry=Registry())


def _walk(node, path: str = '#', root: bool = True) -> Iterator[tuple[str, str, object]]:
    """(json pointer, keyword, value) of every `$ref`/`$dynamicRef`/`$id`/pattern keyword in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ('$ref', '$dynamicRef', 'pattern') and not isinstance(value, dict | list):
                yield path, key, value
            elif key == '$id' and not root and isinstance(value, str):
                yield path, key, value
            elif key == 'patternProperties' and isinstance(value, dict):
                for pattern in value:
                    yield f'{path}/patternProperties', 'pattern', pattern
            yield from _walk(value, f'{path}/{key}', root=False)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f'{path}/{index}', root=False)


# Keywords whose subschemas apply to the same instance: a cycle through only these never ends.
_SAME_INSTANCE = ('allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentSchemas')


def _pointer_get(schema, pointer: str):
    node = schema
    for part in pointer.lstrip('#').split('/')[1:]:
        part = part.replace('~1', '/').replace('~0', '~')
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _same_instance_edges(schema, pointer: str) -> Iterator[str]:
    """Pointers of the subschemas that validate the same value as the schema at `pointer`."""
    node = _pointer_get(schema, pointer)
    if not isinstance(node, dict):
        return
    for key in ('$ref', '$dynamicRef'):
        target = node.get(key)
        if isinstance(target, str) and (target == '#' or target.startswith('#/')):
            yield target.rstrip('/') or '#'
    for key in _SAME_INSTANCE:
        value = node.get(key)
        if isinstance(value, list):
            yield from (f'{pointer}/{key}/{i}' for i in range(len(value)))
        elif key == 'dependentSchemas' and isinstance(value, dict):
            yield from (f'{pointer}/{key}/{name}' for name in value)
        elif isinstance(value, dict):
            yield f'{pointer}/{key}'


def _reference_cycle(schema) -> list[str] | None:
    """A chain of references that comes back to itself without descending into the value, if any."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(pointer: str, path: list[str]) -> list[str] | None:
        state[pointer] = 1
        try:
            edges = list(_same_instance_edges(schema, pointer))
        except (KeyError, IndexError, ValueError, TypeError):
            edges = []  # a dangling reference is reported on its own
        for nxt in edges:
            if state.get(nxt) == 1:
                return [*path, pointer, nxt]
            if nxt not in state and (found := visit(nxt, [*path, pointer])):
                return found
        state[pointer] = 2
        return None

    starts = {where for where, keyword, _ in _walk(schema) if keyword in ('$ref', '$dynamicRef')}
    for start in sorted(starts):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def schema_problems(schema) -> list[str]:
    """Why a form schema is refused at check/deploy: non-local references, nested `$id`, bad patterns."""
    if not isinstance(schema, dict):
        return []
    problems = []
    resolver = Draft202012Validator(schema, registry=Registry())._resolver
    for where, keyword, value in _walk(schema):
        if keyword in ('$ref', '$dynamicRef'):
            if not isinstance(value, str) or not value.startswith('#'):
                problems.append(f"{where}: 只允许表单内部的引用 ({keyword} 须以 # 开头)，不接受 {value!r}")
                continue
            try:
                resolver.lookup(value)
            except Unresolvable:
                problems.append(f"{where}: 引用 {value} 在表单中不存在")
        elif keyword == '$id':
            problems.append(f"{where}: 表单内部不能声明 $id ({value!r})")
        elif keyword == 'pattern':
            try:
                compile_pattern(value)
            except PatternUnsupported as exc:
                problems.append(f"{where}: 正则表达式 {value!r} 无效或不受支持 (不支持回溯引用和环视): {exc}")
    if not problems and (cycle := _reference_cycle(schema)):
        chain = ' → '.join(cycle)
        problems.append(f"{cycle[0]}: 引用循环 ({chain})，校验会无限递归；循环引用须经过 properties 或 items")
    return problems
