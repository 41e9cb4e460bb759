"""Mainland China working-day calendar (法定节假日与调休) for deadlines; pure: stdlib, chinese_calendar, holidays.

Counting rule: ``add_workdays(start, n)`` counts working days strictly after ``start``, so
``add_workdays(Fri, 1)`` is the next working day; ``add_workdays(d, 0) == roll_forward(d)``.
``workdays_between(a, b)`` is the number of working days in ``(a, b]``; when ``b`` is a working day
and ``b >= a`` it is exactly the ``n`` with ``add_workdays(a, n) == b``.  For a rest day ``b`` it is the
largest ``n`` with ``add_workdays(a, n) <= b``; for ``b < a`` it is ``-workdays_between(b, a)``.

Precedence for one day: admin override table, then the chinese_calendar data (which has the State
Council's yearly 调休 notice), and for years it does not cover yet, the statutory holidays of the
national holiday rules (元旦, 春节 with 除夕, 清明, 劳动节, 端午, 中秋, 国庆, fixed and lunar dates, with
the 补假 for holidays falling on a weekend) computed by the ``holidays`` library, other days Monday to
Friday.  Only the 调休 of such a year is unknown (rest days moved and weekends worked); it produces
warnings (``warnings_for``) until the admin enters it or the library catches up.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

__all__ = [
    "CHINA_TZ",
    "DateLike",
    "MAX_SPAN_DAYS",
    "MAX_WORKDAYS",
    "Override",
    "WorkCalendar",
    "add_workdays",
    "library_covers",
    "roll_forward",
    "to_date",
    "workdays_between",
]

CHINA_TZ = ZoneInfo("Asia/Shanghai")
MAX_WORKDAYS = 10_000  # bound for n: expressions run under a time limit
MAX_SPAN_DAYS = 40_000  # bound for calendar-day spans walked one day at a time
_ONE_DAY = timedelta(days=1)
DateLike = date | datetime | str
_MISSING = ("{year} 年的调休安排尚未录入：法定节假日已计入，调休上班日和调休放假日未计入，"
            "请管理员在节假日调整表中补录。")


def to_date(value: DateLike) -> date:
    """Date of a date, datetime or ISO string; aware datetimes are read in China time."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"不是有效的 ISO 日期：{value!r}")
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo is not None else value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected date, datetime or ISO string, got {type(value).__name__}")


def _count(n: int) -> int:
    """Validated non-negative working-day count."""
    if isinstance(n, bool):
        raise TypeError("working-day count must be an integer, not bool")
    n = operator.index(n)
    if not 0 <= n <= MAX_WORKDAYS:
        raise ValueError(f"working-day count must be between 0 and {MAX_WORKDAYS}, got {n}")
    return n


@lru_cache(maxsize=512)
def library_covers(year: int) -> bool:
    """Whether chinese_calendar has official holiday data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:  # the library's signal for a year outside its data
        return False
    return True


# The library's first use builds its lunar tables (~0.2 s): pay it at import, never inside a process expression's
# time limit (a script computing a date years ahead once ran past its 1 s under a loaded test run).
holidays.country_holidays("CN", years=2026)


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[date]:
    """Statutory public holidays of ``year`` by the national rules (no 调休), from the ``holidays`` library."""
    return frozenset(holidays.country_holidays("CN", years=year))


@dataclass(frozen=True)
class Override:
    """One admin-edited day: a local closure (False) or an extra working day (True)."""

    day: date
    is_workday: bool
    reason: str = ""

    def __post_init__(self) -> None:
        """Normalise ``day`` to a date."""
        object.__setattr__(self, "day", to_date(self.day))
        object.__setattr__(self, "is_workday", bool(self.is_workday))


@dataclass(frozen=True)
class WorkCalendar:
    """Immutable working-day calendar: overrides over chinese_calendar over statutory holidays and Mon–Fri."""

    overrides: tuple[Override, ...] = ()
    covered_years: frozenset[int] = frozenset()
    _table: MappingProxyType = field(init=False, repr=False, compare=False)

    def __init__(self, overrides: Iterable[Override] = (), covered_years: Iterable[int] | None = None):
        """Build from override rows and the years the admin declares fully entered."""
        rows = tuple(overrides)
        table: dict[date, bool] = {}
        for row in rows:
            if not isinstance(row, Override):
                raise TypeError(f"expected Override, got {type(row).__name__}")
            if table.get(row.day, row.is_workday) != row.is_workday:
                raise ValueError(f"节假日调整表中 {row.day.isoformat()} 的设置相互矛盾")
            table[row.day] = row.is_workday
        object.__setattr__(self, "overrides", rows)
        object.__setattr__(self, "covered_years", frozenset(int(y) for y in covered_years or ()))
        object.__setattr__(self, "_table", MappingProxyType(table))

    def has_data(self, year: int) -> bool:
        """Whether holiday data exists for ``year`` (library or admin-declared)."""
        return year in self.covered_years or library_covers(year)

    def is_workday(self, d: DateLike) -> bool:
        """Whether ``d`` is a working day."""
        day = to_date(d)
        if day in self._table:
            return self._table[day]
        if library_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def roll_forward(self, d: DateLike) -> date:
        """``d`` if it is a working day, else the next working day."""
        day = to_date(d)
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(day):
                return day
            day += _ONE_DAY
        raise ValueError("no working day found after the given date")

    def add_workdays(self, start: DateLike, n: int) -> date:
        """The n-th working day after ``start`` (n = 0: ``start`` rolled forward)."""
        day, n = to_date(start), _count(n)
        if n == 0:
            return self.roll_forward(day)
        for _ in range(MAX_SPAN_DAYS):
            day += _ONE_DAY
            if self.is_workday(day):
                n -= 1
                if n == 0:
                    return day
        raise ValueError("working-day span too long")

    def workdays_between(self, a: DateLike, b: DateLike) -> int:
        """Working days in ``(a, b]``; negative when ``b < a`` (see module docstring)."""
        first, last = to_date(a), to_date(b)
        if last < first:
            return -self.workdays_between(last, first)
        if (last - first).days > MAX_SPAN_DAYS:
            raise ValueError("working-day span too long")
        count, day = 0, first
        while day < last:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def missing_years(self, start: DateLike, end: DateLike | None = None) -> list[int]:
        """Years from ``start`` to ``end`` (inclusive, either order) without holiday data."""
        y1 = to_date(start).year
        y2 = y1 if end is None else to_date(end).year
        return [y for y in range(min(y1, y2), max(y1, y2) + 1) if not self.has_data(y)]

    def warnings_for(self, start: DateLike, end: DateLike | None = None) -> list[str]:
        """Chinese warnings for each year of the date or span that lacks holiday data."""
        return [_MISSING.format(year=y) for y in self.missing_years(start, end)]

    def warnings_for_dues(self, now: datetime, dues) -> list[str]:
        """The distinct warnings for the spans from `now` to each due (None and year-9999 parked timers skipped)."""
        warnings: list[str] = []
        for due in dues:
            if due is None or due.year >= 9999:
                continue
            for text in self.warnings_for(now, due):
                if text not in warnings:
                    warnings.append(text)
        return warnings

    def deadline_at(self, start: DateLike, n: int, tz: str = "Asia/Shanghai") -> datetime:
        """Aware datetime at 23:59:59 local time of ``add_workdays(start, n)``."""
        return datetime.combine(self.add_workdays(start, n), time(23, 59, 59), tzinfo=ZoneInfo(tz))


def add_workdays(d: DateLike, n: int, calendar: WorkCalendar | None = None) -> date:
    """``calendar.add_workdays`` with a plain ``WorkCalendar()`` by default."""
    return (WorkCalendar() if calendar is None else calendar).add_workdays(d, n)


def workdays_between(a: DateLike, b: DateLike, calendar: WorkCalendar | None = None) -> int:
    """``calendar.workdays_between`` with a plain ``WorkCalendar()`` by default."""
    return (WorkCalendar() if calendar is None else calendar).workdays_between(a, b)


def roll_forward(d: DateLike, calendar: WorkCalendar | None = None) -> date:
    """``calendar.roll_forward`` with a plain ``WorkCalendar()`` by default."""
    return (WorkCalendar() if calendar is None else calendar).roll_forward(d)
