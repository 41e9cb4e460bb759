"""Functions exposed to BPMN expressions: bounded builtins plus date and working-day helpers."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import calendar as workcal
from .errors import ExpressionFailed
from .guards import bounded, measure, tick

MAX_DAYS = 3660       # bound for working-day / month arithmetic (ten years)
MAX_ROUND_DIGITS = 100


def _utc_now() -> datetime:
    return datetime.now(UTC)


def as_date(value, tz: ZoneInfo) -> date:
    """Accept a date, an aware/naive datetime or an ISO date/datetime string and return a date."""
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return as_date(datetime.fromisoformat(text.replace('Z', '+00:00')), tz)
        except ValueError:
            pass
    raise ExpressionFailed(f"无法识别的日期: {value!r}")


def _count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int | float) or int(n) != n:
        raise ExpressionFailed(f"{what} 必须是整数: {n!r}")
    if abs(n) > MAX_DAYS:
        raise ExpressionFailed(f"{what} 超出范围 (最多 {MAX_DAYS})")
    return int(n)


def _calendar_call(name: str, *args, calendar=None):
    try:
        return getattr(workcal, name)(*args, calendar=calendar() if callable(calendar) else calendar)
    except ExpressionFailed:
        raise
    except Exception as exc:  # calendar out of range, not installed, ...
        raise ExpressionFailed(f"工作日计算失败 ({name}): {exc}")


def _add_months(d: date, n: int) -> date:
    month_index = d.year * 12 + d.month - 1 + n
    year, month = divmod(month_index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def _round(number, ndigits=None):
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS):
        raise ExpressionFailed(f"round 的位数必须是不超过 {MAX_ROUND_DIGITS} 的整数")
    return builtins.round(number, ndigits)


def _sum(values, start=0):
    if not isinstance(start, int | float):
        raise ExpressionFailed("sum 只能对数字求和")
    measure(values)
    items = list(values)
    if not all(isinstance(v, int | float) for v in items):
        raise ExpressionFailed("sum 只能对数字求和")
    return builtins.sum(items, start)


def _get(d, key, default=None):
    return d.get(key, default) if isinstance(d, dict) else default


def _bounded_input(func: Callable) -> Callable:
    """Wrap a converting builtin so its input is measured and its output charged."""
    def wrapper(*args, **kwargs):
        tick()
        measure(list(args))
        return bounded(func(*args, **kwargs))
    wrapper.__name__ = func.__name__
    return wrapper


def build_helpers(clock: Callable[[], datetime] | None = None, tz: str = 'Asia/Shanghai',
                  calendar=None) -> dict:
    """Return the helper namespace bound to an engine's clock, time zone and working-day calendar.

    `calendar` is a `WorkCalendar`, a zero-argument callable returning the current one (so a service
    can swap in admin overrides without rebuilding the engine), or None for the plain China calendar.
    """
    clock = clock or _utc_now
    zone = ZoneInfo(tz)

    def local_now() -> datetime:
        moment = clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone)

    def today() -> str:
        return local_now().date().isoformat()

    def now() -> str:
        return local_now().isoformat()

    def workdays_add(start, n) -> str:
        return _calendar_call('add_workdays', as_date(start, zone), _count(n, '工作日数'),
                              calendar=calendar).isoformat()

    def workdays_between(a, b) -> int:
        return _calendar_call('workdays_between', as_date(a, zone), as_date(b, zone), calendar=calendar)

    def workday_deadline(start, n) -> str:
        day = _calendar_call('add_workdays', as_date(start, zone), _count(n, '工作日数'), calendar=calendar)
        return datetime.combine(day, time(23, 59, 59), tzinfo=zone).isoformat()

    def date_add_months(start, n) -> str:
        return _add_months(as_date(start, zone), _count(n, '月数')).isoformat()

    def days_between(a, b) -> int:
        return (as_date(b, zone) - as_date(a, zone)).days

    plain = {name: getattr(builtins, name) for name in ('len', 'min', 'max', 'abs', 'int', 'float', 'bool',
                                                         'any', 'all')}
    converting = {name: _bounded_input(getattr(builtins, name)) for name in ('str', 'sorted', 'list', 'dict',
                                                                             'set', 'tuple')}
    return {
        **plain, **converting, 'round': _round, 'sum': _sum, 'get': _get,
        'today': today, 'now': now, 'workdays_add': workdays_add, 'workdays_between': workdays_between,
        'workday_deadline': workday_deadline, 'date_add_months': date_add_months,
        'days_between': days_between,
        # FEEL-style literals so DMN cells like `true` / `false` / `null` work.
        'true': True, 'false': False, 'null': None,
    }


HELPER_NAMES = frozenset(build_helpers())
