"""The working-day calendar backed by the database: admin overrides, covered years, reload on change.

The calendar itself is read through `calendar_source.CalendarSource`. Each admin action below is one
transaction with one `system`-chain audit event, and bumps that counter.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.calendar_source import REVISION_ROW
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.models import CalendarRevision, HolidayOverride, HolidayYear, User
from workflows.calendar import DateLike, to_date

if TYPE_CHECKING:
    from service.cases.runtime import Services

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
