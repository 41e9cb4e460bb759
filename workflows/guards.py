"""Runtime guards of the sandbox: per-evaluation time and size budgets and bounded operators."""

from __future__ import annotations

import re
import string
import time
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import ExpressionFailed, ExpressionLimitExceeded

MAX_ITEMS = 100_000          # str chars / container items (deep) per produced value
MAX_INT_BITS = 4096          # bits of an integer produced by * ** << +
TIME_LIMIT = 1.0             # seconds of CPU time of the evaluating thread (generous: a slow CI box)
ALLOC_BUDGET = 1_000_000     # items/chars all guarded values of one evaluation may add up to
MAX_FORMAT_WIDTH = 1000      # widths/precisions in format specs

STR_METHODS = frozenset({'strip', 'lower', 'upper', 'startswith', 'endswith', 'replace', 'split', 'join',
                         'format'})
DICT_METHODS = frozenset({'get', 'keys', 'values', 'items'})
SAFE_METHODS = STR_METHODS | DICT_METHODS


class _Budget:
    """Limits of one running evaluation."""

    __slots__ = ('deadline', 'remaining', 'source')

    def __init__(self, source: str, seconds: float):
        self.deadline = time.thread_time() + seconds
        self.remaining = ALLOC_BUDGET
        self.source = source


_current: ContextVar[_Budget | None] = ContextVar('qingfeng_sandbox_budget', default=None)


@contextmanager
def limits(source: str, seconds: float | None = None):
    """Run the block under a fresh time and allocation budget (nested calls get their own)."""
    token = _current.set(_Budget(source, TIME_LIMIT if seconds is None else seconds))
    try:
        yield
        tick()  # one last check: catches a single slow operation at the end
    finally:
        _current.reset(token)


def _source() -> str:
    budget = _current.get()
    return budget.source if budget else ''


def limit_exceeded(message: str) -> ExpressionLimitExceeded:
    """Build a limit error for the running evaluation."""
    return ExpressionLimitExceeded(message, _source())


def tick() -> None:
    """Raise when the running evaluation is past its deadline."""
    budget = _current.get()
    if budget is not None and time.thread_time() > budget.deadline:
        raise limit_exceeded(f"表达式运行超时 (超过 {TIME_LIMIT} 秒)")


def charge(units: int) -> None:
    """Count produced items/chars against the evaluation budget, and check the clock."""
    tick()
    budget = _current.get()
    if budget is not None:
        budget.remaining -= units
        if budget.remaining < 0:
            raise limit_exceeded("表达式生成的数据总量超出限制")


def measure(value, limit: int = MAX_ITEMS) -> int:
    """Deep size of a value (items plus characters); raise once it exceeds `limit`."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, dict):
            total += 2 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        if total > limit:
            raise limit_exceeded(f"数据过大 (超过 {limit} 个元素/字符)")
    return total


def bounded(value):
    """Return `value` after checking and charging its deep size."""
    charge(measure(value))
    return value


def _seq_len(value) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise limit_exceeded(f"整数过大 (超过 {MAX_INT_BITS} 位)")


def g_add(a, b):
    """Bounded a + b."""
    la, lb = _seq_len(a), _seq_len(b)
    if la is not None and lb is not None and la + lb > MAX_ITEMS:
        raise limit_exceeded(f"数据过大 (超过 {MAX_ITEMS} 个元素/字符)")
    return bounded(a + b)


def g_mul(a, b):
    """Bounded a * b (repetition and big integers)."""
    tick()
    for seq, n in ((a, b), (b, a)):
        if _seq_len(seq) is not None and isinstance(n, int):
            if max(n, 0) * max(_seq_len(seq), 1) > MAX_ITEMS:
                raise limit_exceeded(f"数据过大 (超过 {MAX_ITEMS} 个元素/字符)")
            return bounded(a * b)
    if isinstance(a, int) and isinstance(b, int):
        _check_int_bits(abs(a).bit_length() + abs(b).bit_length())
    return a * b


def g_pow(a, b):
    """Bounded a ** b."""
    tick()
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_int_bits(b * abs(a).bit_length())
    if isinstance(b, int | float) and abs(b) > 10_000 and not isinstance(a, int):
        raise limit_exceeded("指数过大")
    return a ** b


def g_lshift(a, b):
    """Bounded a << b."""
    tick()
    if isinstance(a, int) and isinstance(b, int):
        _check_int_bits(abs(a).bit_length() + max(b, 0))
    return a << b


def g_mod(a, b):
    """a % b for numbers only (printf-style string formatting is not allowed)."""
    tick()
    if isinstance(a, str | bytes):
        raise ExpressionFailed("不支持 % 字符串格式化，请使用 f-string", _source())
    return a % b


def g_fmt(value):
    """Check a value interpolated into an f-string."""
    return bounded(value)


_SPEC_NUMBER = re.compile(r'\d+')


def check_format_spec(spec: str) -> str | None:
    """Return an error message when a format spec asks for absurd widths."""
    if any(len(n) > 6 or int(n) > MAX_FORMAT_WIDTH for n in _SPEC_NUMBER.findall(spec)):
        return f"格式宽度不能超过 {MAX_FORMAT_WIDTH}"
    if '{' in spec or '}' in spec:
        return "不支持嵌套的格式说明"
    return None


def _check_template(template: str) -> None:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ExpressionFailed(f"格式字符串错误: {exc}", _source())
    for _literal, field, spec, _conv in parts:
        if field is not None and not re.fullmatch(r'\w*', field):
            raise ExpressionFailed("format 只能引用参数名或序号，不能访问属性或下标", _source())
        problem = check_format_spec(spec or '')
        if problem:
            raise ExpressionFailed(problem, _source())


def _str_method(obj: str, name: str, args, kwargs):
    if name == 'replace' and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        hits = obj.count(old) if old else len(obj) + 1
        if len(obj) + hits * max(len(new) - len(old), 0) > MAX_ITEMS:
            raise limit_exceeded(f"数据过大 (超过 {MAX_ITEMS} 个元素/字符)")
    elif name == 'join':
        items = list(args[0]) if args else []
        if not all(isinstance(i, str) for i in items):
            raise ExpressionFailed("join 只能连接字符串", _source())
        if sum(map(len, items)) + len(obj) * len(items) > MAX_ITEMS:
            raise limit_exceeded(f"数据过大 (超过 {MAX_ITEMS} 个元素/字符)")
    elif name == 'format':
        _check_template(obj)
        measure(list(args) + list(kwargs.values()))
    return getattr(obj, name)(*args, **kwargs)


def g_method(obj, name: str, *args, **kwargs):
    """Call one of the whitelisted methods on a str or dict value."""
    tick()
    if isinstance(obj, str) and name in STR_METHODS:
        return bounded(_str_method(obj, name, args, kwargs))
    if isinstance(obj, dict) and name in DICT_METHODS:
        return getattr(obj, name)(*args, **kwargs)
    raise ExpressionFailed(f"不允许在 {type(obj).__name__} 类型的值上调用方法 {name}()", _source())


GUARDS = {
    '_add': g_add, '_mul': g_mul, '_pow': g_pow, '_lshift': g_lshift, '_mod': g_mod,
    '_fmt': g_fmt, '_lit': bounded, '_method': g_method,
}
