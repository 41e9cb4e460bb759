"""The facets a figure is counted under, as conditions on `Case`: one definition for the figures and the case list.

A figure's `cases_url` is the case-list query with the same facets (`cases_url`), so the list's total is the
figure by construction; tests check it independently. A string facet equal to `NONE` selects cases where the
fact is not recorded. Periods are dates in the office's time zone, both ends included, on the case's
registration time (`cases.created_at`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from service.models import Case, DeadlineExtension, DeadlineSuspension, WorkItem

NONE = "未登记"
TASK_STATES = ("done", "on_time", "late", "overdue", "extended", "suspended")
FORM_VALUES = ("1", "2", "3", "4", "any")
# Facet attribute -> (query parameter, Case column) for the plain equality facets.
STRING_FACETS = {"cadre_level": Case.cadre_level, "source": Case.clue_source, "channel": Case.clue_channel,
                 "disposal": Case.disposal, "outcome": Case.outcome, "finding": Case.finding,
                 "report_type": Case.report_type, "grade": Case.grade}
BOOLEAN_FACETS = {"real_name": Case.real_name, "cleared": Case.cleared, "visited": Case.visited}
# Attribute -> query parameter where they differ (`from` is a Python keyword).
PARAMETERS = {"date_from": "from", "date_to": "to"}


@dataclass(frozen=True)
class Facets:
    """What a statistics request or a drill-down selects, besides need to know (applied by the caller)."""

    date_from: date | None = None
    date_to: date | None = None
    department: int | None = None
    process_key: str | None = None
    version_id: int | None = None
    status: str | None = None
    cadre_level: str | None = None
    form: str | None = None
    measure: str | None = None
    source: str | None = None
    channel: str | None = None
    real_name: bool | None = None
    disposal: str | None = None
    outcome: str | None = None
    finding: str | None = None
    cleared: bool | None = None
    report_type: str | None = None
    grade: str | None = None
    visited: bool | None = None
    task: str | None = None
    task_state: str | None = None
    zone: str = "Asia/Shanghai"


FACET_NAMES = tuple(f.name for f in fields(Facets) if f.name != "zone")


def local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def facet_conditions(f, now: datetime) -> list:
    """The conditions on `Case` for the facets set on `f` (a Facets or anything with the same attributes)."""
    out = []
    if f.date_from:
        out.append(Case.created_at >= local_midnight(f.date_from, f.zone))
    if f.date_to:
        out.append(Case.created_at < local_midnight(f.date_to + timedelta(days=1), f.zone))
    if f.department is not None:
        out.append(Case.department_id == f.department)
    if f.process_key:
        out.append(Case.process_key == f.process_key)
    if f.version_id is not None:
        out.append(Case.process_version_id == f.version_id)
    if f.status:
        out.append(Case.status == f.status)
    for name, column in STRING_FACETS.items():
        value = getattr(f, name)
        if value:
            out.append(column.is_(None) if value == NONE else column == value)
    for name, column in BOOLEAN_FACETS.items():
        value = getattr(f, name)
        if value is not None:
            out.append(column.is_(value))
    if f.form:
        out.append(Case.disposition_form.is_not(None) if f.form == "any" else Case.disposition_form == int(f.form))
    if f.measure:
        out.append(Case.measures.contains(f"|{f.measure}|", autoescape=True))
    if f.task or f.task_state:
        out.append(exists(_task_rows(f.task, f.task_state, now)))
    return out


def _task_rows(bpmn_id: str | None, state: str | None, now: datetime):
    """Work items of the case (of one BPMN task, in one state): the timeliness facets."""
    where = [WorkItem.case_id == Case.id]
    if bpmn_id:
        where.append(WorkItem.bpmn_id == bpmn_id)
    if state in ("done", "on_time", "late"):
        where.append(WorkItem.resolution == "completed")
    if state == "on_time":
        where += [WorkItem.due_at.is_not(None), WorkItem.completed_at <= WorkItem.due_at]
    elif state == "late":
        where += [WorkItem.due_at.is_not(None), WorkItem.completed_at > WorkItem.due_at]
    elif state == "overdue":
        where += [WorkItem.completed_at.is_(None), WorkItem.due_at < now]
    elif state == "extended":
        where.append(exists(select(DeadlineExtension.id).where(DeadlineExtension.task_id == WorkItem.task_id,
                                                               DeadlineExtension.status == "approved")))
    elif state == "suspended":
        where.append(exists(select(DeadlineSuspension.id).where(DeadlineSuspension.task_id == WorkItem.task_id,
                                                                DeadlineSuspension.status == "approved")))
    return select(WorkItem.id).where(and_(*where))


def query_string(f: Facets, **cell) -> str:
    """The facets (with a cell's own facets laid over them) as the query of a case-list URL."""
    values = {name: getattr(f, name) for name in FACET_NAMES}
    values.update(cell)
    pairs = []
    for name in FACET_NAMES:
        value = values[name]
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, date):
            value = value.isoformat()
        pairs.append((PARAMETERS.get(name, name), str(value)))
    return urlencode(pairs)


def cases_url(f: Facets, **cell) -> str:
    return "/api/v1/cases?" + query_string(f, **cell)
