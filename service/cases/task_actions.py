"""Actions on a human task: claim, release, complete (the hot path, through prebuilt statements)."""

from __future__ import annotations

import copy
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit, cadre_reading, cadres, jurisdiction, permissions
from service.cases import statements as sql
from service.cases.case_data import check_form_data, without_read_only
from service.cases.decisions import decision_of
from service.cases.documents import issue_for_step
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org import signers
from service.cases.projections import write_projections
from service.cases.reporters import split_reporter, store_reporter
from service.cases.results import CaseSnapshot, CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.starting import add_link_summary, start_requested_cases
from service.cases.tx import (
    check_may_act,
    engine_call,
    is_recused,
    load_actor,
    open_item_for_update,
    refuse_unreadable,
)
from service.models import Case, ProcessVersion, User, WorkItem
from workflows import form_checks
from workflows.loops import bundle_loops
from workflows.reserved import CADRE_RECORDS
from workflows.steps import step_result


def claim_task(svc: Services, actor_id: int, task_id: str) -> CaseView:
    """Take a ready task for oneself (others with the role no longer see it as theirs); returns the case."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        item, case = open_item_for_update(session, task_id, actor, svc.now())
        if item.completed_at is not None:
            raise Conflict("任务已办结，不能认领", code="task_not_ready")
        check_may_act(session, actor, item.role, item.lane, item.assignee_id, False, case.id, case.department_id,
                      svc.now())
        if item.approves:   # nobody takes a level they may not sign (it would sit in their hands, blocking the others)
            settings = svc.bundle(session.get(ProcessVersion, case.process_version_id)).settings
            signers.check_signer(session, actor.id, case.id, item.approves, item.lane, settings)
        item.assignee_id = actor.id
        event = audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="task_claimed",
                             actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                             task_bpmn_id=item.bpmn_id, task_title=item.title)
        return load_case_view(svc, session, case.id, event=event)


def release_task(svc: Services, actor_id: int, task_id: str) -> CaseView:
    """Give a claimed task back to everyone with its role; returns the case."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        item, case = open_item_for_update(session, task_id, actor, svc.now())
        if item.completed_at is not None:
            raise Conflict("任务已办结", code="task_not_ready")
        if not permissions.may_release_task(actor, item.assignee_id):
            raise NotAllowed("只能释放自己认领的任务", code="not_claimant")
        item.assignee_id = None
        event = audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="task_released",
                             actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                             task_bpmn_id=item.bpmn_id, task_title=item.title)
        return load_case_view(svc, session, case.id, event=event)


def complete_task(svc: Services, actor_id: int, task_id: str, data: dict, case_version: int | None = None
                  ) -> CaseView:
    """Complete a ready human task after every check; returns the case after it."""
    _validate_task_form(svc, actor_id, task_id, data)
    done, wf, next_forms = _complete_task(svc, actor_id, task_id, data, case_version)
    svc.workflows.put(done.case.id, done.case.version, wf, done.data)  # only after the commit succeeded
    svc.task_forms.remember(next_forms)
    return done


def _complete_task(svc: Services, actor_id: int, task_id: str, data: dict, case_version: int | None):
    with svc.db.write_session() as session:
        conn = session.connection()
        actor = load_actor(session, actor_id)
        row, open_rows, holdings = _checked_item(session, actor, task_id, case_version, svc.now())
        case_id, flags = row.case_id, open_rows[0]
        bundle = svc.bundle_of(session, row.process_version_id, row.sha256)   # the form was validated before the lock
        now = svc.now()
        # the signing rule of approval chains (four eyes, distinct levels unless the version's settings relax it)
        relaxed = signers.check_signer(session, actor.id, case_id, row.approves, row.lane, bundle.settings)
        signed_as = signers.completed_as(holdings, row.role, row.lane, row.department_id, row.department_name,
                                            case_id, relaxed)
        clean, reporter_fields = jurisdiction.at_registration(bundle, row.form, *split_reporter(data))
        store_reporter(session, case_id, reporter_fields, now)
        wf = svc.workflows.take(case_id, row.version)
        if wf is None:
            wf = engine_call(svc.engine.restore, bundle, json.loads(row.state_text))
        schema = bundle.forms.get(row.form) if row.form else None
        clean = without_read_only(schema, clean)
        if isinstance(schema, dict) and schema.get("x-reads") == CADRE_RECORDS:  # the record, never typed in
            clean[CADRE_RECORDS] = cadre_reading.read_records(
                session, svc.engine.case_data(wf), cadres.local_today(now, svc.config.TIMEZONE), case_id)
        _check_submission(svc, wf, task_id, clean, schema)
        engine_call(svc.engine.complete, wf, task_id, clean)
        step = step_result(svc.engine, wf)
        _refuse_silent_send_back(bundle, row.bpmn_id, step, {r.task_id for r in open_rows})
        handler_id = actor.id if row.role == "handler" and row.handler_id is None else row.handler_id
        written = write_projections(conn, case_id, step, open_rows, now, actor_id=actor.id, completed_task_id=task_id,
                                    has_timers=flags.has_timers, handler_id=handler_id, closed_at=row.closed_at,
                                    version=row.version, decision=decision_of(schema, clean), completed_item_id=row.id,
                                    completed_as=signed_as)
        columns, open_items = written.columns, written.open_items
        _keep_cadre_record(session, row, clean, step, columns, now)
        case = CaseSnapshot(
            id=case_id, reference=row.reference, title=row.title, process_key=row.process_key, handler_id=handler_id,
            department_id=row.department_id,
            subject_name=columns.get("subject_name", row.subject_name),
            subject_unit=columns.get("subject_unit", row.subject_unit), clue_no=columns.get("clue_no", row.clue_no),
            created_at=row.created_at,
            closed_at=columns.get("closed_at", row.closed_at),
            **{k: columns[k] for k in ("status", "outcome", "stage", "due_at", "version")})
        linked = start_requested_cases(svc, session, actor, case, bundle, step)
        summary = {"data": audit.summarize(clean), "reporter_recorded": bool(reporter_fields), "as": signed_as}
        if relaxed:   # never silently: the setting that allowed a second level by the same person is on record
            summary["distinct_levels_relaxed"] = True
        add_link_summary(summary, linked)
        issued = issue_for_step(svc, session, case_id=case_id, reference=row.reference, case_title=row.title,
                                bundle=bundle, version_id=row.process_version_id, task_bpmn_id=row.bpmn_id,
                                task_title=row.item_title, data=step.data, submitted=clean,
                                ready=[i.bpmn_id for i in open_items], actor=actor, now=now)
        if issued:
            summary["documents"] = issued
        if case.status == "completed":
            summary["outcome"] = case.outcome
        event = audit.append(session, chain=audit.case_chain(case_id), at=now, action="task_completed",
                             actor_id=actor.id, actor_name=actor.display_name, case_id=case_id,
                             task_bpmn_id=row.bpmn_id, task_title=row.item_title, summary=summary)
        done = CaseView(case=case, process_version=row.process_version, data=copy.deepcopy(step.data),
                        tasks=open_items, links=sql.case_links(conn, case_id) if flags.has_links or linked else [],
                        deadline_warnings=svc.calendar().warnings_for_dues(
                            now, [i.due_at for i in open_items] + [t["due_at"] for t in written.timers]),
                        event=event,
                        waiting=signers.waiting_notes(session, open_items, row.department_id, bundle.settings, now))
        next_forms = {i.task_id: _form_of(bundle, i.bpmn_id) for i in open_items}
        return done, wf, next_forms


def _keep_cadre_record(session: Session, row, submitted: dict, step, columns: dict, now) -> None:
    """Link the case to the cadre its data names (once, or again when a step chose a record), and record the
    measures the process decided when the case ends (service/cases/cadres.py)."""
    cadre_id = row.cadre_id
    if step.data.get("subject_name") and (cadre_id is None or "cadre_id" in submitted):
        cadre_id = cadres.link_case(session, row.case_id, step.data, now, relink="cadre_id" in submitted)
    if columns.get("status") == "completed" and row.status != "completed" and step.data.get("cadre_measures"):
        cadres.record_measures(session, row.case_id, row.process_key, cadre_id, step.data, now)


def _form_of(bundle, bpmn_id: str) -> dict | None:
    info = bundle.tasks.get(bpmn_id)
    return bundle.forms.get(info.form) if info is not None and info.form else None


def _validate_task_form(svc: Services, actor_id: int, task_id: str, data: dict) -> None:
    """Validate the form (and refuse reserved names) before any lock is taken (SQLite's write lock, the case
    row): a large submission never holds up other writers. A task's form never changes, so the check stays
    valid. A refusal goes to a recused actor as 403 `recused`, never as the form's 422 (recusal first)."""
    try:
        known = svc.task_forms.get(task_id)
        if known is not None:
            check_form_data(known[0], data, today=svc.today())
            return
        with svc.db.read_session() as session:
            row = session.execute(
                select(WorkItem.form, ProcessVersion.id, ProcessVersion.sha256).join(Case, Case.id == WorkItem.case_id)
                .join(ProcessVersion, ProcessVersion.id == Case.process_version_id).where(WorkItem.task_id == task_id)
            ).first()
            if row is None:
                return   # the locked path answers 404
            bundle = svc.bundle_of(session, row.id, row.sha256)
        check_form_data(bundle.forms.get(row.form) if row.form else None, data, today=svc.today())
    except InvalidInput:
        with svc.db.read_session() as session:
            case_id = session.scalar(select(WorkItem.case_id).where(WorkItem.task_id == task_id))
            if case_id is not None and is_recused(session, case_id, actor_id):
                raise NotAllowed("您已回避本案，不能办理本案任务", code="recused") from None
            if case_id is not None:
                refuse_unreadable(session, case_id, actor_id, svc.now())  # never a form's 422 outside the circle
        raise


def _checked_item(session: Session, actor: User, task_id: str, case_version: int | None, now):
    """The task's row (work item, locked case, version) and the case's open items, after every check that
    needs no engine. The open items come with the recusal, link and timer flags (never empty: the task is one)."""
    conn = session.connection()
    row = conn.execute(sql.ITEM_AND_CASE, {"task_id": task_id}).first()
    if row is None:
        raise NotFound(f"任务 {task_id} 不存在")
    open_rows = conn.execute(sql.OPEN_ITEMS, {"case_id": row.case_id, "actor_id": actor.id}).all()
    # the actor's own recusal first (the open items carry the flag; none are open once the case moved on)
    if open_rows[0].recused if open_rows else is_recused(session, row.case_id, actor.id):
        raise NotAllowed("您已回避本案，不能办理本案任务", code="recused")
    if case_version is not None and case_version != row.version:
        raise Conflict("您打开页面之后，案件已被他人办理或更新，请刷新后重试", code="stale_case_version")
    if row.completed_at is not None:
        raise Conflict("任务已办理，不能重复提交", code="task_not_ready")
    holdings = check_may_act(session, actor, row.role, row.lane, row.assignee_id, False, row.case_id,
                             row.department_id, now)
    return row, open_rows, holdings


def _refuse_silent_send_back(bundle, bpmn_id: str, step, open_task_ids: set[str]) -> None:
    """A submission the process sends straight back to the same step, on a loop that does not say why, was not
    accepted: refuse it (422, rolled back, the form stays) instead of answering as if the case moved on. A loop
    whose flow names its reason is the process's intent; the page shows that reason (`loop_reason`)."""
    if any(t.bpmn_id == bpmn_id and t.id not in open_task_ids for t in step.ready) \
            and not bundle_loops(bundle).get(bpmn_id):
        raise InvalidInput("提交未被接受：流程把本步骤原样退回，案件没有向前推进。请检查填写的内容，或请流程设计人员"
                           "在表单中写明校验规则", {"_form": ["流程未接受此次提交，本步骤保持不变"]}, code="sent_back")


def _check_submission(svc: Services, wf, task_id: str, data: dict, schema: dict | None) -> None:
    """Refuse a submission whose fields contradict each other or the case (the form's `x-checks`), with 422."""
    errors = engine_call(svc.engine.check_submission, wf, task_id, data, form_checks.declared(schema))
    if errors:
        raise InvalidInput("表单内容前后矛盾或不符合要求，请按提示修改", errors)
