"""The one entry point of the statistics: `figures(session, user, group, facets, now)` -> `Report`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import queries
from service.cases.errors import NotFound
from service.cases.stats import groups
from service.cases.stats.analytics import process_analytics
from service.cases.stats.filters import Facets
from service.cases.stats.report import Report, Scope
from service.cases.stats.timeliness import timeliness
from service.models import Department, User

GROUPS = {
    "four-forms": (groups.four_forms, groups.FOUR_FORMS),
    "clues": (groups.clues, groups.CLUES),
    "timeliness": (None, None),
    "tolerance": (groups.tolerance, groups.TOLERANCE),
    "clearance": (groups.clearance, groups.CLEARANCE),
    "follow-up": (groups.follow_up, groups.FOLLOW_UP),
    "integrity-opinions": (groups.integrity_opinions, groups.INTEGRITY),
}
GROUP_TITLES = {"four-forms": "四种形态", "clues": "问题线索", "timeliness": "办理时效", "tolerance": "容错纠错",
                "clearance": "澄清正名", "follow-up": "回访教育", "integrity-opinions": "党风廉政意见回复"}


def figures(session: Session, user: User, group: str, facets: Facets, now: datetime) -> Report:
    """The group's tables over the cases the user may read (need to know), under the facets."""
    if group not in GROUPS:
        raise NotFound(f"没有“{group}”这一统计")
    queries.require_reader(user)
    count, process_key = GROUPS[group]
    if process_key:
        facets = replace(facets, process_key=process_key)
    scope = Scope(queries.readable(session, user, now, register=True), facets, now,
                  session.get_bind().dialect.name)
    if count is None:
        title, tables, notes = timeliness(session, scope, queries.process_names(session))
    else:
        title, tables, notes = count(session, scope)
    shown = {"date_from": facets.date_from, "date_to": facets.date_to, "department": facets.department,
             "cadre_level": facets.cadre_level, "process_key": facets.process_key}
    return Report(group, title, shown, now, tables, notes)


def stats_page(session: Session, user: User, group: str, facets: Facets, now: datetime) -> dict:
    """The 统计 page: the group's report, and the departments and processes its filters offer."""
    report = figures(session, user, group, facets, now)
    departments = session.execute(select(Department.id, Department.name).where(Department.active)
                                  .order_by(Department.id)).all()
    return {"report": report, "departments": departments, "processes": queries.process_names(session)}


def analytics_page(session: Session, user: User, process_key: str, facets: Facets, now: datetime,
                   version: int | None) -> dict:
    """The 流程分析 page: the analytics, and the processes and departments its filters offer."""
    result = process_analytics(session, user, process_key, facets, now, version)
    departments = session.execute(select(Department.id, Department.name).where(Department.active)
                                  .order_by(Department.id)).all()
    return {"analytics": result, "departments": departments, "processes": queries.process_names(session)}


def period_bounds(period: str) -> tuple[date, date]:
    """'2026-03' -> the month; '2026-Q1' -> the quarter (first and last day)."""
    year, part = period.split("-")
    if part.startswith("Q"):
        first_month = 3 * (int(part[1]) - 1) + 1
        months = 3
    else:
        first_month, months = int(part), 1
    start = date(int(year), first_month, 1)
    end_month = first_month + months
    end = date(int(year) + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def workbook(session: Session, user: User, facets: Facets, now: datetime) -> list[Report]:
    """The 月报/季报: every figure group for the period, in the order of the upward report."""
    return [figures(session, user, group, facets, now) for group in GROUPS]
