"""Read-only deadline queries: overdue view, due-soon flags and counts, a case's deadlines and warnings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from service.cases import permissions, queries
from service.cases.errors import NotAllowed
from service.cases.runtime import Services
from service.models import Case, DeadlineExtension, DeadlineSuspension, Timer, User, WorkItem
from workflows.calendar import WorkCalendar


def due_soon_limit(calendar: WorkCalendar, now: datetime, workdays: int, tz: str) -> datetime:
    """End (23:59:59 local) of the `workdays`-th working day after today: due before it is "due soon"."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return calendar.deadline_at(today, workdays, tz)


def due_flag(due_at: datetime | None, now: datetime, soon_limit: datetime) -> str | None:
    """'overdue', 'due_soon' or None for one due time."""
    if due_at is None:
        return None
    if due_at < now:
        return "overdue"
    return "due_soon" if due_at <= soon_limit else None


def flagged_tasks(svc: Services, session: Session, user: User, now: datetime | None = None
                  ) -> list[tuple[WorkItem, Case, str | None]]:
    """The user's worklist (scope mine) with each task's due flag, using DUE_SOON_WORKDAYS."""
    now = now or svc.now()
    limit = due_soon_limit(svc.calendar(), now, svc.config.DUE_SOON_WORKDAYS, svc.config.TIMEZONE)
    rows = queries.list_tasks(session, user, now=now)
    return [(item, case, due_flag(item.due_at, now, limit)) for item, case in rows]


def task_counts(session: Session, user: User, now: datetime, due_soon_workdays: int, calendar: WorkCalendar,
                tz: str) -> dict[str, int]:
    """How many of the user's open tasks are overdue and how many are due within `due_soon_workdays`."""
    limit = due_soon_limit(calendar, now, due_soon_workdays, tz)
    return {"overdue": queries.count_tasks(session, user, due_before=now, now=now),
            "due_soon": queries.count_tasks(session, user, due_after=now, due_by=limit, now=now)}


def _require_overseer(user: User) -> None:
    if not permissions.may_view_overdue(user):
        raise NotAllowed("逾期督办视图仅限部门负责人和领导查看")


def overdue_work_items(session: Session, user: User, now: datetime) -> list[dict]:
    """The supervisors' overdue view: open tasks past due, and tasks escalated by a deadline timer.

    An escalation is a task the engine cancelled at or after its due time (an interrupting boundary
    timer) whose case now waits on the tasks opened in that same firing; it stays on the view until
    those tasks are done.
    """
    _require_overseer(user)
    visible = queries.readable(session, user, now, register=True)  # need to know, recusal included
    rows = []
    late = session.execute(
        select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
        .where(WorkItem.completed_at.is_(None), WorkItem.due_at < now, visible)
        .order_by(WorkItem.due_at, WorkItem.id)
    ).all()
    for item, case in late:
        rows.append({"kind": "overdue", "item": item, "case": case, "due_at": item.due_at, "escalated_to": []})
    follow = aliased(WorkItem)
    escalated = session.execute(
        select(WorkItem, Case, follow).join(Case, Case.id == WorkItem.case_id)
        .join(follow, and_(follow.case_id == WorkItem.case_id, follow.created_at == WorkItem.completed_at,
                           follow.completed_at.is_(None)))
        .where(WorkItem.resolution == "cancelled", WorkItem.due_at.is_not(None),
               WorkItem.completed_at >= WorkItem.due_at, Case.status == "open", visible)
        .order_by(WorkItem.completed_at, WorkItem.id)
    ).all()
    by_item: dict[int, dict] = {}
    for item, case, successor in escalated:
        entry = by_item.get(item.id)
        if entry is None:
            entry = {"kind": "escalated", "item": item, "case": case, "due_at": item.due_at, "escalated_to": []}
            by_item[item.id] = entry
            rows.append(entry)
        entry["escalated_to"].append(successor)
    return rows


def suspended_task_ids(session: Session, task_ids: list[str]) -> set[str]:
    """Which of these tasks have their deadline suspended (中止) right now (their due_at is then empty)."""
    if not task_ids:
        return set()
    return set(session.scalars(select(DeadlineSuspension.task_id).where(DeadlineSuspension.task_id.in_(task_ids),
                                                                        DeadlineSuspension.status == "approved",
                                                                        DeadlineSuspension.resumed_at.is_(None))))


def case_deadlines(svc: Services, session: Session, user: User, case_id: int) -> dict:
    """A case's open task deadlines with suspensions, extensions, timers and missing-calendar warnings."""
    case = queries.get_case(session, user, case_id, svc.now())
    items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.completed_at.is_(None))
                            .order_by(WorkItem.id)).all()
    task_ids = [i.task_id for i in items]
    requests = session.scalars(select(DeadlineSuspension).where(DeadlineSuspension.case_id == case.id)
                               .order_by(DeadlineSuspension.id)).all()
    suspensions = {s.task_id: s for s in requests
                   if s.task_id in task_ids and s.status == "approved" and s.resumed_at is None}
    extensions = session.scalars(select(DeadlineExtension).where(DeadlineExtension.case_id == case.id)
                                 .order_by(DeadlineExtension.id)).all()
    timers = session.scalars(select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at)).all()
    tasks = [{"task_id": i.task_id, "bpmn_id": i.bpmn_id, "title": i.title, "due_at": i.due_at,
              "suspended": i.task_id in suspensions,
              "suspended_at": suspensions[i.task_id].suspended_at if i.task_id in suspensions else None}
             for i in items]
    return {"case_id": case.id, "tasks": tasks, "extensions": list(extensions), "suspensions": list(requests),
            "timers": [t for t in timers if t.due_at.year < 9999],
            "warnings": deadline_warnings(svc, session, case.id)}


def deadline_warnings(svc: Services, session: Session, case_id: int) -> list[str]:
    """Warnings for deadlines of the case that fall in (or span) a year without holiday data."""
    now = svc.now()
    calendar = svc.calendar()
    dues = session.scalars(select(WorkItem.due_at).where(WorkItem.case_id == case_id, WorkItem.completed_at.is_(None),
                                                         WorkItem.due_at.is_not(None))).all()
    dues += list(session.scalars(select(Timer.due_at).where(Timer.case_id == case_id)))
    return calendar.warnings_for_dues(now, dues)


def pending_approvals(session: Session, user: User, now: datetime) -> list[dict]:
    """The extension (延期) and suspension (中止) requests waiting for this user's decision: on open tasks of cases
    the user may read (recusal included), asked for by someone else, if the user may decide on them. Oldest first."""
    if not permissions.may_approve_extensions(user):
        return []
    visible = queries.readable(session, user, now)
    rows: list[dict] = []
    for model, kind, by in ((DeadlineExtension, "extension", DeadlineExtension.requested_by_id),
                            (DeadlineSuspension, "suspension", DeadlineSuspension.suspended_by_id)):
        found = session.execute(
            select(model, WorkItem, Case, User.display_name).join(WorkItem, WorkItem.task_id == model.task_id)
            .join(Case, Case.id == model.case_id).join(User, User.id == by)
            .where(model.status == "pending", WorkItem.completed_at.is_(None), by != user.id, visible)
        ).all()
        rows += [{"kind": kind, "request": request, "item": item, "case": case, "requested_by": name,
                  "requested_at": request.requested_at or getattr(request, "suspended_at", None)}
                 for request, item, case, name in found]
    return sorted(rows, key=lambda r: (r["requested_at"], r["kind"], r["request"].id))


def count_pending_approvals(session: Session, user: User, now: datetime) -> int:
    """How many requests wait for this user's decision (the header's count)."""
    return len(pending_approvals(session, user, now))
