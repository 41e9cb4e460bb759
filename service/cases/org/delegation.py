"""The principal's actions: acting appointments (代行) and need-to-know access grants.
Each is one transaction with one audit event (grants on the case's chain, appointments on `org`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org import positions as vocab
from service.cases.org.admin import ORG_CHAIN, current_positions
from service.cases.runtime import Services
from service.models import AccessGrant, ActingAppointment, Case, Department, User


def _principal(session: Session, actor_id: int, now: datetime) -> User:
    actor = session.get(User, actor_id)
    if actor is None or not actor.active:
        raise NotAllowed("用户不存在或已停用")
    if not any(p.kind == "principal" for p in current_positions(session, actor.id, now)):
        raise NotAllowed("只有主要负责人可以作出此决定", code="principal_only")
    return actor


def _reason_and_end(reason: str, valid_to: datetime | None, now: datetime) -> str:
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["此项为必填项"]
    if valid_to is None or valid_to <= now:
        errors["valid_to"] = ["须为将来的时间"]
    if errors:
        raise InvalidInput("请填写理由和截止时间", errors)
    return reason


def _active_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.username == "system":
        raise NotFound(f"用户 {user_id} 不存在或已停用")
    return user


def appoint_acting(svc: Services, actor_id: int, delegate_id: int, kind: str, department_id: int | None,
                   reason: str, valid_to: datetime | None, case_id: int | None = None) -> int:
    """Name a delegate to act as `kind` (in `department_id`; for one case if `case_id`) until `valid_to`."""
    now = svc.now()
    reason = _reason_and_end(reason, valid_to, now)
    if kind not in vocab.POSITIONS:
        raise InvalidInput(f"未知职务 {kind}", {"kind": ["未知职务"]})
    with svc.db.write_session() as session:
        actor = _principal(session, actor_id, now)
        delegate = _active_user(session, delegate_id)
        if department_id is not None and session.get(Department, department_id) is None:
            raise NotFound(f"部门 {department_id} 不存在")
        if kind in vocab.DEPARTMENT_POSITIONS and department_id is None:
            raise InvalidInput("此职务须指定部门", {"department_id": ["此职务须指定部门"]})
        if case_id is not None and session.get(Case, case_id) is None:
            raise NotFound(f"案件 {case_id} 不存在")
        row = ActingAppointment(delegate_id=delegate.id, kind=kind, department_id=department_id, case_id=case_id,
                                reason=reason[:1000], appointed_by_id=actor.id, valid_from=now, valid_to=valid_to)
        session.add(row)
        session.flush()
        summary = {"appointment_id": row.id, "delegate": delegate.username, "kind": kind,
                   "department_id": department_id, "case_id": case_id, "reason": reason[:500],
                   "valid_to": valid_to.isoformat()}
        audit.append(session, chain=audit.case_chain(case_id) if case_id else ORG_CHAIN, at=now,
                     action="acting_appointed", actor_id=actor.id, actor_name=actor.display_name, case_id=case_id,
                     summary=summary)
        return row.id


def revoke_acting(svc: Services, actor_id: int, appointment_id: int) -> None:
    now = svc.now()
    with svc.db.write_session() as session:
        actor = _principal(session, actor_id, now)
        row = session.get(ActingAppointment, appointment_id)
        if row is None:
            raise NotFound(f"代行安排 {appointment_id} 不存在")
        if row.revoked_at is not None or row.valid_to <= now:
            raise Conflict("代行安排已结束", code="appointment_ended")
        row.revoked_at = now
        audit.append(session, chain=audit.case_chain(row.case_id) if row.case_id else ORG_CHAIN, at=now,
                     action="acting_revoked", actor_id=actor.id, actor_name=actor.display_name, case_id=row.case_id,
                     summary={"appointment_id": row.id})


def grant_access(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str,
                 valid_to: datetime | None) -> int:
    """Let a user read a case they would not otherwise see, for a reason, until `valid_to`."""
    now = svc.now()
    reason = _reason_and_end(reason, valid_to, now)
    with svc.db.write_session() as session:
        actor = _principal(session, actor_id, now)
        case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
        if case is None:
            raise NotFound(f"案件 {case_id} 不存在")
        user = _active_user(session, user_id)
        row = AccessGrant(case_id=case.id, user_id=user.id, reason=reason[:1000], granted_by_id=actor.id,
                          created_at=now, valid_to=valid_to)
        session.add(row)
        session.flush()
        audit.append(session, chain=audit.case_chain(case.id), at=now, action="access_granted", actor_id=actor.id,
                     actor_name=actor.display_name, case_id=case.id,
                     summary={"grant_id": row.id, "user": user.username, "reason": reason[:500],
                              "valid_to": valid_to.isoformat()})
        return row.id


def revoke_access(svc: Services, actor_id: int, grant_id: int) -> None:
    now = svc.now()
    with svc.db.write_session() as session:
        actor = _principal(session, actor_id, now)
        row = session.get(AccessGrant, grant_id)
        if row is None:
            raise NotFound(f"授权 {grant_id} 不存在")
        session.scalar(select(Case.id).where(Case.id == row.case_id).with_for_update())
        if row.revoked_at is not None or row.valid_to <= now:
            raise Conflict("授权已结束", code="grant_ended")
        row.revoked_at = now
        audit.append(session, chain=audit.case_chain(row.case_id), at=now, action="access_revoked",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=row.case_id,
                     summary={"grant_id": row.id})
