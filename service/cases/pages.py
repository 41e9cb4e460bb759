"""One read per HTML page or API resource that shows several things: each composes the queries it needs on the
session it is given (the request's, see service/reads.py), so a view makes exactly one query call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import deadline_queries, queries
from service.cases.archive import case_file_panel
from service.cases.errors import NotFound
from service.cases.runtime import Services
from service.models import DeadlineExtension, DeadlineSuspension, User, WorkItem


def case_page(svc: Services, session: Session, user: User, case_id: int) -> dict:
    """The case page: the case (a `CaseView`), history, trail, deadlines and extensions, suspended tasks and the
    names shown."""
    view = queries.case_page(svc, session, user, case_id)
    case = view["case"]
    deadline_info = deadline_queries.case_deadlines(svc, session, user, case_id)
    return {**view, "process_name": queries.process_names(session).get(case.process_key, view["version"].name),
            "suspended": deadline_queries.suspended_task_ids(session, [t.task_id for t in case.tasks]),
            "deadline_info": deadline_info,
            "pending_suspensions": {s.task_id for s in deadline_info["suspensions"] if s.status == "pending"},
            "case_file": case_file_panel(svc, session, user, case_id),
            "requesters": queries.user_names(session, [e.requested_by_id for e in deadline_info["extensions"]]
                                             + [s.suspended_by_id for s in deadline_info["suspensions"]])}


def case_list_page(session: Session, user: User, f: queries.CaseFilter, now: datetime) -> dict:
    """The case list: one page of cases, the process names and the handlers' names."""
    page = queries.list_cases(session, user, f, now)
    return {"page": page, "processes": queries.process_names(session),
            "handlers": queries.user_names(session, [c.handler_id for c in page["items"]])}


def worklist_page(session: Session, user: User, scope: str, process_key: str | None, due_before: datetime | None,
                  now: datetime, limit: int, offset: int) -> dict:
    """The worklist: the total, one page of tasks, which of them are suspended, the process names, and the
    extension and suspension requests waiting for the user's decision."""
    rows = queries.list_tasks(session, user, scope, process_key, due_before, limit=limit, offset=offset, now=now)
    return {"approvals": deadline_queries.pending_approvals(session, user, now),
            "total": queries.count_tasks(session, user, scope, process_key, due_before, now=now), "rows": rows,
            "suspended": deadline_queries.suspended_task_ids(session, [item.task_id for item, _case in rows]),
            "processes": queries.process_names(session)}


def overdue_page(session: Session, user: User, now: datetime) -> dict:
    """逾期督办: the overdue and escalated tasks with the process names."""
    return {"rows": deadline_queries.overdue_work_items(session, user, now),
            "processes": queries.process_names(session)}


def task_resource(svc: Services, session: Session, user: User, task_id: str) -> tuple:
    """A task, its case, its form, for a returned step who returned it, and for an approval level nobody may
    sign its waiting note (GET /api/v1/tasks/{id})."""
    item, case = queries.get_task(session, user, task_id, svc.now())
    return (item, case, queries.task_form(svc, session, item, case), queries.returned_by(session, item),
            queries.waiting_note(svc, session, item, case))


def task_counts(svc: Services, session: Session, user: User) -> dict[str, int]:
    """How many of the user's open tasks are overdue and how many due soon, how many extension and suspension
    requests wait for the user's decision, and how many approval steps are in the user's worklist (the page
    header, /tasks/counts)."""
    now = svc.now()
    counts = deadline_queries.task_counts(session, user, now, svc.config.DUE_SOON_WORKDAYS, svc.calendar(),
                                          svc.config.TIMEZONE)
    return {**counts, "approvals": deadline_queries.count_pending_approvals(session, user, now),
            "approval_steps": queries.count_tasks(session, user, now=now, approvals_only=True)}


def case_id_of_task(session: Session, task_id: str) -> int:
    """The case a task belongs to (the deadline forms redirect there; the action itself checks who may act)."""
    case_id = session.scalar(select(WorkItem.case_id).where(WorkItem.task_id == task_id))
    if case_id is None:
        raise NotFound(f"任务 {task_id} 不存在")
    return case_id


def suspension(session: Session, suspension_id: int) -> DeadlineSuspension:
    """One deadline suspension request."""
    row = session.get(DeadlineSuspension, suspension_id)
    if row is None:
        raise NotFound(f"中止申请 {suspension_id} 不存在")
    return row


def extension(session: Session, extension_id: int) -> DeadlineExtension:
    """One deadline extension request."""
    ext = session.get(DeadlineExtension, extension_id)
    if ext is None:
        raise NotFound(f"延期申请 {extension_id} 不存在")
    return ext
