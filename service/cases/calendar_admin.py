"""The working-day calendar backed by the database: admin overrides, covered years, reload on change.

`CalendarSource` is what the engine and the queries call for the current `WorkCalendar`. It rebuilds
the calendar when the `calendar_revisions` counter moves (checked at most every `ttl` seconds, and
at once in the process that made the edit). Each admin action below is one transaction with one
`system`-chain audit event, and bumps that counter.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.models import CalendarRevision, HolidayOverride, HolidayYear, User
from workflows.calendar import DateLike, Override, WorkCalendar, to_date

if TYPE_CHECKING:
    from service.cases.runtime import Services
    from service.db import Database

REVISION_ROW = 1


def load_calendar(session: Session) -> WorkCalendar:
    """A WorkCalendar from the override table and the declared years."""
    overrides = [Override(row.day, row.is_workday, row.reason)
                 for row in session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))]
    years = session.scalars(select(HolidayYear.year)).all()
    return WorkCalendar(overrides, years)


def _revision(session: Session) -> int:
    return session.scalar(select(CalendarRevision.revision).where(CalendarRevision.id == REVISION_ROW)) or 0


class CalendarSource:
    """The current DB-backed WorkCalendar, cached by the revision counter.

    `refresh()` may read the database and is called by the service before the engine runs
    (`Services.bundle`, `Services.calendar`); calling the source itself, as the engine's expression
    helpers do, returns the cached calendar, so expression time limits never include a query.
    """

    def __init__(self, db: Database, ttl: float = 5.0):
        self.db = db
        self.ttl = ttl
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._revision: int | None = None
        self._checked = 0.0

    def __call__(self) -> WorkCalendar:
        calendar = self._calendar
        return calendar if calendar is not None else self.refresh(force=True)

    def refresh(self, force: bool = False) -> WorkCalendar:
        """Reload when the revision moved (checked at most every `ttl` seconds unless forced)."""
        with self._lock:
            if not force and self._calendar is not None and time.monotonic() - self._checked < self.ttl:
                return self._calendar
            with self.db.read_session() as session:
                revision = _revision(session)
                if self._calendar is None or revision != self._revision:
                    self._calendar, self._revision = load_calendar(session), revision
            self._checked = time.monotonic()
            return self._calendar

    def invalidate(self) -> None:
        """Reload now (after an edit committed in this process)."""
        self.refresh(force=True)


# ---- admin actions ----

def _admin(session: Session, actor_id: int | None) -> tuple[int | None, str]:
    """The acting admin (id, name); None stands for the operator at the command line."""
    if actor_id is None:
        return None, "系统（命令行）"
    user = session.get(User, actor_id)
    if user is None or not user.active or not permissions.may_admin_calendar(user):
        raise NotAllowed("只有系统管理员可以维护节假日调整表")
    return user.id, user.display_name


def _bump(session: Session) -> None:
    bumped = session.execute(update(CalendarRevision).where(CalendarRevision.id == REVISION_ROW)
                             .values(revision=CalendarRevision.revision + 1)).rowcount
    if not bumped:
        session.add(CalendarRevision(id=REVISION_ROW, revision=1))


def _parse_day(day: DateLike) -> date:
    try:
        return to_date(day)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc), {"day": [str(exc)]})


def _after_edit(svc: Services) -> None:
    source = getattr(svc, "calendar_source", None)
    if source is not None:
        source.invalidate()


def add_override(svc: Services, actor_id: int | None, day: DateLike, is_workday: bool, reason: str = "") -> date:
    """Set one day as a working day (调休) or a closure; replaces an earlier setting of that day."""
    the_day = _parse_day(day)
    reason = (reason or "").strip()[:256]
    with svc.db.write_session() as session:
        actor, name = _admin(session, actor_id)
        row = session.get(HolidayOverride, the_day)
        before = None if row is None else row.is_workday
        if row is None:
            row = HolidayOverride(day=the_day, created_at=svc.now())
            session.add(row)
        row.is_workday, row.reason, row.created_by_id, row.created_at = bool(is_workday), reason, actor, svc.now()
        _bump(session)
        audit.append(session, chain="system", at=svc.now(), action="holiday_override_set", actor_id=actor,
                     actor_name=name, summary={"day": the_day.isoformat(), "is_workday": bool(is_workday),
                                               "before": before, "reason": reason})
    _after_edit(svc)
    return the_day


def remove_override(svc: Services, actor_id: int | None, day: DateLike) -> None:
    """Delete the override of one day; the library (or Monday–Friday) decides again."""
    the_day = _parse_day(day)
    with svc.db.write_session() as session:
        actor, name = _admin(session, actor_id)
        row = session.get(HolidayOverride, the_day)
        if row is None:
            raise NotFound(f"{the_day.isoformat()} 没有调整记录")
        summary = {"day": the_day.isoformat(), "is_workday": row.is_workday, "reason": row.reason}
        session.delete(row)
        _bump(session)
        audit.append(session, chain="system", at=svc.now(), action="holiday_override_removed", actor_id=actor,
                     actor_name=name, summary=summary)
    _after_edit(svc)


def declare_year(svc: Services, actor_id: int | None, year: int, note: str = "") -> None:
    """Record that the holidays of `year` are fully entered as overrides (its warning stops)."""
    if not 1900 <= int(year) <= 2200:
        raise InvalidInput("年份无效", {"year": ["年份无效"]})
    with svc.db.write_session() as session:
        actor, name = _admin(session, actor_id)
        if session.get(HolidayYear, int(year)) is not None:
            raise Conflict(f"{year} 年已登记为节假日数据完整", code="year_declared")
        session.add(HolidayYear(year=int(year), note=(note or "")[:256], created_by_id=actor, created_at=svc.now()))
        _bump(session)
        audit.append(session, chain="system", at=svc.now(), action="holiday_year_declared", actor_id=actor,
                     actor_name=name, summary={"year": int(year), "note": (note or "")[:200]})
    _after_edit(svc)


# ---- queries ----

def list_overrides(session: Session, year: int | None = None) -> list[HolidayOverride]:
    """Override rows, by day (optionally of one year)."""
    query = select(HolidayOverride).order_by(HolidayOverride.day)
    if year is not None:
        query = query.where(HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31))
    return list(session.scalars(query))
