"""Clock control on a task's deadline: suspension (中止) and extension (延期), each on another person's
approval, and resume.

Each public function is one transaction with one audit event and returns the case after it (a `CaseView`
whose `event` is that audit event: `suspension_id`, `extension_id`, `due_after`... are in its summary).
A deadline lives in three places that move together: the work item's `due_at`, the engine's boundary
timer on that task (its internal due value, via `WorkflowEngine.reschedule_timer`) and the `timers`
projection. While suspended the work item has no due time and its timers wait for a date that never
comes; on resume every one of them moves by the working days the clock stood still.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.permissions import CaseContext
from service.cases.projections import project_case
from service.cases.results import CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.tx import engine_call, is_recused, load_actor, lock_case_for, restore_workflow
from service.models import Case, DeadlineExtension, DeadlineSuspension, User, WorkItem
from workflows.calendar import WorkCalendar
from workflows.steps import step_result

MAX_EXTENSION_WORKDAYS = 250


def suspended_until(tz: str) -> datetime:
    """The moment a suspended timer waits for (in the configured zone): never reached, never shown."""
    return datetime(9999, 12, 31, 23, 59, 59, tzinfo=ZoneInfo(tz))


def shift_workdays(moment: datetime, n: int, calendar: WorkCalendar, tz: str) -> datetime:
    """The same local time of day, `n` working days later (n = 0: unchanged)."""
    if n <= 0:
        return moment
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    day = calendar.add_workdays(local.date(), n)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)


def _reason(text: str | None, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写理由", {field: ["此项为必填项"]})
    return text[:1000]


def _open_task(session: Session, task_id: str, actor: User, at: datetime) -> tuple[WorkItem, Case]:
    """The open work item of `task_id` with its case locked."""
    item = session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is None:
        raise NotFound(f"任务 {task_id} 不存在")
    case = lock_case_for(session, item.case_id, actor, at)  # the actor's own recusal first
    session.refresh(item)
    if item.completed_at is not None:
        raise Conflict("任务已办结，期限不能再调整", code="task_not_ready")
    return item, case


def _check_controller(session: Session, actor: User, item: WorkItem) -> None:
    """Who may suspend, resume or ask to extend: whoever may do the task, or a supervisor/leader/admin."""
    case = CaseContext(case_id=item.case_id, recused=is_recused(session, item.case_id, actor.id))
    if case.recused:
        raise NotAllowed("您已回避本案", code="recused")
    if not permissions.may_control_deadline(actor, item.role, case):
        raise NotAllowed("只有本任务的办理人或负责人可以调整期限", code="wrong_role")


def _open_suspension(session: Session, task_id: str) -> DeadlineSuspension | None:
    """The approved suspension whose clock still stands still (a pending or rejected request stops nothing)."""
    return session.scalar(select(DeadlineSuspension).where(DeadlineSuspension.task_id == task_id,
                                                           DeadlineSuspension.status == "approved",
                                                           DeadlineSuspension.resumed_at.is_(None)))


def _save(svc: Services, session: Session, case: Case, wf, now: datetime) -> dict:
    """Store the workflow state and refresh work items, timers, case due date and version; the case data."""
    step = step_result(svc.engine, wf)
    project_case(session, case, step, now)
    return step.data


def _done(session: Session, svc: Services, actor: User, case: Case, item: WorkItem, action: str, summary: dict,
          data: dict | None = None) -> CaseView:
    """Append the action's audit event and return the case after the action."""
    event = audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action=action, actor_id=actor.id,
                         actor_name=actor.display_name, case_id=case.id, task_bpmn_id=item.bpmn_id,
                         task_title=item.title, summary=summary)
    return load_case_view(svc, session, case.id, data, event=event)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def suspend_deadline(svc: Services, actor_id: int, task_id: str, reason: str) -> CaseView:
    """Ask to stop a task's deadline clock (中止) with a reason; returns the case (the request's id is
    `event.summary["suspension_id"]`). Nothing stops until
    another person approves (`approve_suspension`): nobody stops their own clock, and an overdue step stays
    overdue meanwhile."""
    reason = _reason(reason)
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        item, case = _open_task(session, task_id, actor, svc.now())
        _check_controller(session, actor, item)
        if _open_suspension(session, task_id) is not None:
            raise Conflict("此任务的期限已中止", code="already_suspended")
        if _pending_suspension_of(session, task_id) is not None:
            raise Conflict("此任务已有待审批的中止申请", code="suspension_pending")
        if item.due_at is None:
            raise Conflict("此任务没有办理期限", code="no_deadline")
        now = svc.now()
        row = DeadlineSuspension(case_id=case.id, task_id=task_id, reason=reason, suspended_by_id=actor.id,
                                 suspended_at=now, requested_at=now, status="pending", due_before=item.due_at,
                                 timer_dues={})
        session.add(row)
        session.flush()
        return _done(session, svc, actor, case, item, "deadline_suspension_requested",
                     {"suspension_id": row.id, "reason": reason, "due": _iso(item.due_at)})


def _pending_suspension_of(session: Session, task_id: str) -> DeadlineSuspension | None:
    return session.scalar(select(DeadlineSuspension).where(DeadlineSuspension.task_id == task_id,
                                                           DeadlineSuspension.status == "pending"))


def _pending_request(session: Session, model, request_id: int, actor: User, at: datetime, what: str, code: str):
    """A pending extension or suspension request with its open task and locked case (re-read under the lock)."""
    row = session.get(model, request_id)
    if row is None:
        raise NotFound(f"{what}申请 {request_id} 不存在")
    item, case = _open_task(session, row.task_id, actor, at)
    session.refresh(row)
    if row.status != "pending":
        raise Conflict(f"该{what}申请已处理", code=code)
    return row, item, case


def _pending_suspension(session: Session, suspension_id: int, actor: User, at: datetime
                        ) -> tuple[DeadlineSuspension, WorkItem, Case]:
    return _pending_request(session, DeadlineSuspension, suspension_id, actor, at, "中止", "suspension_decided")


def approve_suspension(svc: Services, actor_id: int, suspension_id: int, note: str = "") -> CaseView:
    """Approve a suspension request (another person than the requester): the clock stops now; returns the case."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        row, item, case = _pending_suspension(session, suspension_id, actor, svc.now())
        _check_approver(session, actor, row.case_id, row.suspended_by_id, "中止")
        if item.due_at is None:
            raise Conflict("此任务没有办理期限", code="no_deadline")
        wf = restore_workflow(svc, session, case)
        timers = engine_call(svc.engine.attached_timers, wf, row.task_id)
        for timer in timers:
            engine_call(svc.engine.reschedule_timer, wf, timer.task_id, suspended_until(svc.config.TIMEZONE))
        now = svc.now()
        row.status, row.decided_by_id, row.decided_at = "approved", actor.id, now
        row.decision_note, row.suspended_at, row.due_before = (note or "").strip()[:1000], now, item.due_at
        row.timer_dues = {t.task_id: t.due_at.isoformat() for t in timers}
        item.due_at = None
        summary = {"suspension_id": row.id, "reason": row.reason, "note": row.decision_note,
                   "requested_by": _name(session, row.suspended_by_id), "due_before": _iso(row.due_before),
                   "timers": [t.bpmn_id for t in timers]}
        data = _save(svc, session, case, wf, now)
        return _done(session, svc, actor, case, item, "deadline_suspended", summary, data)


def reject_suspension(svc: Services, actor_id: int, suspension_id: int, note: str) -> CaseView:
    """Refuse a suspension request with a reason; the deadline keeps running. Returns the case."""
    note = _reason(note, "note")
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        row, item, case = _pending_suspension(session, suspension_id, actor, svc.now())
        _check_approver(session, actor, row.case_id, row.suspended_by_id, "中止")
        row.status, row.decided_by_id, row.decided_at, row.decision_note = "rejected", actor.id, svc.now(), note
        return _done(session, svc, actor, case, item, "deadline_suspension_rejected",
                     {"suspension_id": row.id, "reason": row.reason, "note": note,
                      "requested_by": _name(session, row.suspended_by_id)})


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


def resume_deadline(svc: Services, actor_id: int, task_id: str, reason: str) -> CaseView:
    """Restart a suspended deadline; it moves by the working days it stood still. Returns the case."""
    reason = _reason(reason)
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        item, case = _open_task(session, task_id, actor, svc.now())
        _check_controller(session, actor, item)
        row = _open_suspension(session, task_id)
        if row is None:
            raise Conflict("此任务的期限未中止", code="not_suspended")
        now, tz, calendar = svc.now(), svc.config.TIMEZONE, svc.calendar()
        zone = ZoneInfo(tz)
        workdays = max(0, calendar.workdays_between(row.suspended_at.astimezone(zone).date(),
                                                    now.astimezone(zone).date()))
        wf = restore_workflow(svc, session, case)
        waiting = {t.task_id for t in engine_call(svc.engine.attached_timers, wf, task_id)}
        for timer_id, due in (row.timer_dues or {}).items():
            if timer_id in waiting:
                new_due = shift_workdays(datetime.fromisoformat(due), workdays, calendar, tz)
                engine_call(svc.engine.reschedule_timer, wf, timer_id, new_due)
        item.due_at = None if row.due_before is None else shift_workdays(row.due_before, workdays, calendar, tz)
        row.resumed_at, row.resumed_by_id, row.resume_reason = now, actor.id, reason
        row.workdays, row.due_after = workdays, item.due_at
        due_after = item.due_at
        data = _save(svc, session, case, wf, now)
        return _done(session, svc, actor, case, item, "deadline_resumed",
                     {"reason": reason, "workdays": workdays, "due_before": _iso(row.due_before),
                      "due_after": _iso(due_after), "warnings": calendar.warnings_for(now, due_after or now)}, data)


def request_extension(svc: Services, actor_id: int, task_id: str, workdays: int, reason: str) -> CaseView:
    """Ask to extend a task's deadline by `workdays` working days (延期); nothing moves until approved.
    Returns the case; the request's id is `event.summary["extension_id"]`."""
    reason = _reason(reason)
    if isinstance(workdays, bool) or not isinstance(workdays, int) or not 1 <= workdays <= MAX_EXTENSION_WORKDAYS:
        raise InvalidInput("延期天数无效", {"workdays": [f"须为 1 至 {MAX_EXTENSION_WORKDAYS} 的整数"]})
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        item, case = _open_task(session, task_id, actor, svc.now())
        _check_controller(session, actor, item)
        if item.due_at is None and _open_suspension(session, task_id) is None:
            raise Conflict("此任务没有办理期限", code="no_deadline")
        pending = session.scalar(select(DeadlineExtension.id).where(DeadlineExtension.task_id == task_id,
                                                                    DeadlineExtension.status == "pending"))
        if pending is not None:
            raise Conflict("此任务已有待审批的延期申请", code="extension_pending")
        row = DeadlineExtension(case_id=case.id, task_id=task_id, workdays=workdays, reason=reason,
                                requested_by_id=actor.id, requested_at=svc.now(), due_before=item.due_at)
        session.add(row)
        session.flush()
        return _done(session, svc, actor, case, item, "deadline_extension_requested",
                     {"extension_id": row.id, "workdays": workdays, "reason": reason, "due": _iso(item.due_at)})


def _pending_extension(session: Session, extension_id: int, actor: User, at: datetime
                       ) -> tuple[DeadlineExtension, WorkItem, Case]:
    return _pending_request(session, DeadlineExtension, extension_id, actor, at, "延期", "extension_decided")


def _check_approver(session: Session, actor: User, case_id: int, requested_by_id: int, what: str = "延期") -> None:
    """Who decides on an extension or a suspension: a supervisor or leader, never the one who asked."""
    case = CaseContext(case_id=case_id, recused=is_recused(session, case_id, actor.id))
    if case.recused:
        raise NotAllowed("您已回避本案", code="recused")
    if not permissions.may_approve_extensions(actor, case):
        raise NotAllowed(f"{what}须经部门负责人或领导批准", code="wrong_role")
    if permissions.violates_four_eyes(actor, requested_by_id):
        raise NotAllowed(f"不能审批自己提出的{what}申请（双人原则）", code="four_eyes")


def approve_extension(svc: Services, actor_id: int, extension_id: int, note: str = "") -> CaseView:
    """Approve an extension: the task's deadline and its timers move by its working days. Returns the case."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        ext, item, case = _pending_extension(session, extension_id, actor, svc.now())
        _check_approver(session, actor, ext.case_id, ext.requested_by_id)
        suspension = _open_suspension(session, ext.task_id)
        now, tz, calendar = svc.now(), svc.config.TIMEZONE, svc.calendar()
        wf = restore_workflow(svc, session, case)
        if suspension is not None:  # the clock stands still: extend what resuming will restore
            if suspension.due_before is not None:
                suspension.due_before = shift_workdays(suspension.due_before, ext.workdays, calendar, tz)
            suspension.timer_dues = {k: shift_workdays(datetime.fromisoformat(v), ext.workdays, calendar, tz)
                                     .isoformat() for k, v in (suspension.timer_dues or {}).items()}
            due_before, due_after = ext.due_before, suspension.due_before
        else:
            for timer in engine_call(svc.engine.attached_timers, wf, ext.task_id):
                new_due = shift_workdays(timer.due_at, ext.workdays, calendar, tz)
                engine_call(svc.engine.reschedule_timer, wf, timer.task_id, new_due)
            due_before = item.due_at
            item.due_at = None if item.due_at is None else shift_workdays(item.due_at, ext.workdays, calendar, tz)
            due_after = item.due_at
        ext.status, ext.decided_by_id, ext.decided_at = "approved", actor.id, now
        ext.decision_note, ext.due_before, ext.due_after = (note or "").strip()[:1000], due_before, due_after
        summary = {"extension_id": ext.id, "workdays": ext.workdays, "reason": ext.reason, "note": ext.decision_note,
                   "due_before": _iso(due_before), "due_after": _iso(due_after),
                   "warnings": calendar.warnings_for(now, due_after or now)}
        data = _save(svc, session, case, wf, now)
        return _done(session, svc, actor, case, item, "deadline_extended", summary, data)


def reject_extension(svc: Services, actor_id: int, extension_id: int, note: str) -> CaseView:
    """Refuse an extension; the deadline stays where it is. Returns the case."""
    note = _reason(note, "note")
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        ext, item, case = _pending_extension(session, extension_id, actor, svc.now())
        _check_approver(session, actor, ext.case_id, ext.requested_by_id)
        ext.status, ext.decided_by_id, ext.decided_at, ext.decision_note = "rejected", actor.id, svc.now(), note
        return _done(session, svc, actor, case, item, "deadline_extension_rejected",
                     {"extension_id": ext.id, "workdays": ext.workdays, "note": note})

