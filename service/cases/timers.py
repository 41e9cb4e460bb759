"""Firing a case's due timers: by hand (`fire_due_timers`) or from the timer worker's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.cases import audit
from service.cases.audit import CaseEvent
from service.cases.projections import project_case
from service.cases.results import CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.starting import add_link_summary, start_requested_cases
from service.cases.tx import engine_call, lock_case, restore_workflow, system_user, version_by_id
from service.models import Case
from workflows.steps import StepResult, step_result


def fire_due_timers(svc: Services, case_id: int, actor_name: str = "定时器") -> CaseView:
    """Fire the case's due timers (engine clock) and record it; returns the case after it (its `event`, whose
    summary lists the fired timers, is None when none was due)."""
    with svc.db.write_session() as session:
        _fired, event, step = _fire(svc, session, lock_case(session, case_id), actor_name)
        return load_case_view(svc, session, case_id, step.data if step else None, event=event)


def fire_locked_case_timers(svc: Services, session: Session, case: Case, actor_name: str = "定时器") -> list[str]:
    """Fire a case's due timers inside the caller's transaction, which holds the case lock; the fired timer ids.

    Not an action: the timer worker (service/timer_worker.py) calls it in its transaction, which also holds the
    timer row lock; the caller commits, so a crash before commit changes nothing.
    """
    return _fire(svc, session, case, actor_name)[0]


def _fire(svc: Services, session: Session, case: Case, actor_name: str
          ) -> tuple[list[str], CaseEvent | None, StepResult | None]:
    if case.status != "open":
        return [], None, None
    wf = restore_workflow(svc, session, case)
    fired = engine_call(svc.engine.fire_due_timers, wf)
    if not fired:
        return [], None, None
    now = svc.now()
    step = step_result(svc.engine, wf)
    project_case(session, case, step, now)
    bundle = svc.bundle(version_by_id(session, case.process_version_id))
    linked = start_requested_cases(svc, session, system_user(session), case, bundle, step)
    summary = {"timers": fired}
    add_link_summary(summary, linked)
    event = audit.append(session, chain=audit.case_chain(case.id), at=now, action="timer_fired", actor_id=None,
                         actor_name=actor_name, case_id=case.id, summary=summary)
    return fired, event, step
