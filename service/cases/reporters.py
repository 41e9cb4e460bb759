"""The reporter's identity (举报人): kept apart from case data, read only by need to know, every read audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.errors import InvalidInput, NotAllowed
from service.cases.results import CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.tx import case_context, load_actor, lock_case_for
from service.models import Reporter

REPORTER_PREFIX = "reporter_"


def split_reporter(data: dict) -> tuple[dict, dict]:
    """Submitted data without the `reporter_*` fields, and those fields (empty values dropped)."""
    clean = {k: v for k, v in data.items() if not k.startswith(REPORTER_PREFIX)}
    reporter = {k: v for k, v in data.items() if k.startswith(REPORTER_PREFIX) and v not in (None, "")}
    return clean, reporter


def store_reporter(session: Session, case_id: int, fields: dict, now) -> None:
    """Add reporter fields to the case's reporter row (created on first use)."""
    if not fields:
        return
    row = session.scalar(select(Reporter).where(Reporter.case_id == case_id))
    if row is None:
        session.add(Reporter(case_id=case_id, fields=fields, created_at=now, updated_at=now))
    else:
        row.fields, row.updated_at = {**row.fields, **fields}, now


def read_reporter(svc: Services, actor_id: int, case_id: int, reason: str) -> CaseView:
    """The case with the reporter's identity (`reporter`, {} when none was recorded) for someone who needs to
    know, recording the read."""
    reason = (reason or "").strip()
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())   # the actor's own recusal first
        if not permissions.may_see_reporter(actor, case_context(session, case, actor.id, approvals=True)):
            raise NotAllowed("举报人信息仅限受理人员、承办人和审批领导查看", code="need_to_know")
        _check_reason(reason)  # after the entitlement: those not entitled learn nothing from the 422
        row = session.scalar(select(Reporter).where(Reporter.case_id == case.id))
        event = audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="reporter_viewed",
                             actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                             summary={"reason": reason, "present": row is not None})
        return load_case_view(svc, session, case.id, event=event, reporter=dict(row.fields) if row else {})


REASON_MAX_LENGTH = 500


def _check_reason(reason: str) -> None:
    if not reason:
        raise InvalidInput("请说明查看举报人信息的理由", {"reason": ["此项为必填项"]})
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(f"理由最多 {REASON_MAX_LENGTH} 字", {"reason": [f"最多 {REASON_MAX_LENGTH} 字"]})
