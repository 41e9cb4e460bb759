"""回避 (domain.md §8.6, issue 13 point 6): staff declare their own recusal, intake records the subject's or the
reporter's challenge, the principal (or the overseeing deputy, for department staff) decides, and lifts.

Each public function is one transaction with one audit event on the case's chain. An upheld recusal is a
`recusals` row: from that commit on, every read and action refuses the person (tx.refuse_recused, the
need-to-know lists). The `recusal_requests` row keeps the whole story (who raised it, on what grounds, who
decided, who lifted it and why). Checks run in this order: the actor's own recusal (403), the need-to-know
circle (404), who may do this (403), then the input (422), then the state (409)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.accounts import load_user
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org.holdings import load_holdings
from service.cases.queries import get_case, readable, user_names
from service.cases.results import CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.tx import case_context, is_recused, load_actor, lock_case_for
from service.models import Case, Recusal, RecusalRequest, User, WorkItem

# The grounds for 回避 (domain.md §8.6, [S41]); the written grounds are required as well.
GROUNDS = {
    "close_relative": "是被反映人或检举控告人的近亲属",
    "witness": "担任过本案的证人",
    "interest": "本人或其近亲属与本案有利害关系",
    "private_contact": "私下会见当事人，或接受其宴请、礼品",
    "other": "有其他关系，可能影响公正办理",
}
CHALLENGERS = {"subject": "被反映人", "reporter": "检举控告人"}
KIND_LABELS = {"declaration": "本人申请回避", "challenge": "当事人申请回避", "decision": "决定回避"}
STATUS_LABELS = {"pending": "待决定", "upheld": "已回避", "rejected": "不予回避", "lifted": "已解除回避"}
MAX_TEXT = 2000


def _text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, {field: ["此项为必填项"]})
    return text[:MAX_TEXT]


def _ground(ground: str | None) -> str:
    if ground not in GROUNDS:
        raise InvalidInput("请选择回避事由", {"ground": ["请从列表中选择回避事由"]})
    return ground


def _target(session: Session, user_id: int) -> User:
    target = load_user(session, user_id)
    if target is None or not target.active or target.username == "system":
        raise NotFound(f"用户 {user_id} 不存在")
    return target


def _refuse_open(session: Session, case_id: int, user_id: int) -> None:
    """409 when the person is already recused, or a request about them awaits a decision."""
    if is_recused(session, case_id, user_id):
        raise Conflict("该人员已回避本案", code="already_recused")
    pending = session.scalar(select(RecusalRequest.id).where(
        RecusalRequest.case_id == case_id, RecusalRequest.user_id == user_id, RecusalRequest.status == "pending"))
    if pending is not None:
        raise Conflict("关于该人员的回避申请正在等待决定", code="recusal_pending")


def _may_decide(session: Session, actor: User, case: Case, target_id: int, at: datetime) -> bool:
    return permissions.may_decide_recusal(actor, load_holdings(session, actor.id, at), target_id,
                                          load_holdings(session, target_id, at), case_context(session, case, actor.id))


def _bind(session: Session, svc: Services, case: Case, request: RecusalRequest, actor: User, note: str) -> None:
    """Uphold the request: the recusal binds from this commit; the person's claims go back to the pool and they
    stop handling the case."""
    request.status, request.decided_by_id, request.decided_at = "upheld", actor.id, svc.now()
    request.decision_note = note
    session.add(Recusal(case_id=case.id, user_id=request.user_id, reason=request.grounds, decided_by_id=actor.id,
                        created_at=svc.now()))
    session.execute(update(WorkItem).where(WorkItem.case_id == case.id, WorkItem.assignee_id == request.user_id,
                                           WorkItem.completed_at.is_(None)).values(assignee_id=None))
    if case.handler_id == request.user_id:
        case.handler_id = None


def _record(session: Session, svc: Services, actor: User, case: Case, action: str, request: RecusalRequest,
            target: User, **extra) -> CaseView:
    """Append the action's audit event (the request's id in its summary) and return the case after the action."""
    event = audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action=action, actor_id=actor.id,
                         actor_name=actor.display_name, case_id=case.id,
                         summary={"request_id": request.id, "user": target.username, "kind": request.kind,
                                  "ground": request.ground, "reason": request.grounds[:500], **extra})
    return load_case_view(svc, session, case.id, event=event)


def declare_recusal(svc: Services, actor_id: int, case_id: int, ground: str, grounds: str) -> CaseView:
    """A staff member asks to withdraw from a case (自行回避); the decider rules on it. The principal's own
    withdrawal binds at once (the body above decides on the principal; it is recorded here)."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        ground, grounds = _ground(ground), _text(grounds, "grounds", "请写明回避的具体理由")
        _refuse_open(session, case.id, actor.id)
        request = RecusalRequest(case_id=case.id, user_id=actor.id, kind="declaration", ground=ground, grounds=grounds,
                                 requested_by_id=actor.id, requested_at=svc.now(), status="pending")
        session.add(request)
        session.flush()
        if _may_decide(session, actor, case, actor.id, svc.now()):   # the principal
            _bind(session, svc, case, request, actor, "主要负责人自行回避，报上级纪检监察机关备案")
            return _record(session, svc, actor, case, "user_recused", request, actor)
        return _record(session, svc, actor, case, "recusal_declared", request, actor)


def record_challenge(svc: Services, actor_id: int, case_id: int, user_id: int, challenger: str, ground: str,
                     grounds: str) -> CaseView:
    """Intake records that the subject or the reporter asks someone to withdraw, with their grounds."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        if not permissions.may_record_challenge(load_holdings(session, actor.id, svc.now())):
            raise NotAllowed("当事人提出的回避申请由信访受理人员登记", code="intake_only")
        if challenger not in CHALLENGERS:
            raise InvalidInput("请选择申请人", {"challenger": ["请选择被反映人或检举控告人"]})
        ground, grounds = _ground(ground), _text(grounds, "grounds", "请写明申请回避的理由")
        target = _target(session, user_id)
        if load_holdings(session, target.id, svc.now()).holds(permissions.RECUSAL_PRINCIPAL):
            raise NotAllowed("对主要负责人的回避申请，报上级纪检监察机关决定，不在本系统登记", code="higher_body")
        _refuse_open(session, case.id, target.id)
        request = RecusalRequest(case_id=case.id, user_id=target.id, kind="challenge", challenger=challenger,
                                 ground=ground, grounds=grounds, requested_by_id=actor.id, requested_at=svc.now(),
                                 status="pending")
        session.add(request)
        session.flush()
        return _record(session, svc, actor, case, "recusal_challenged", request, target, challenger=challenger)


def decide_recusal(svc: Services, actor_id: int, request_id: int, uphold: bool, note: str,
                   case_id: int | None = None) -> CaseView:
    """The principal (or the overseeing deputy, for department staff) upholds or rejects a pending request; an
    upheld one binds at once. `case_id`: the case the caller reached it through (a page names both)."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        request = session.get(RecusalRequest, request_id)
        if request is None or case_id not in (None, request.case_id):
            raise NotFound(f"回避申请 {request_id} 不存在")
        case = lock_case_for(session, request.case_id, actor, svc.now())
        session.refresh(request)
        target = _target(session, request.user_id)
        own = target.id == actor.id
        if not _may_decide(session, actor, case, target.id, svc.now()) or (own and not uphold):
            raise NotAllowed("回避由主要负责人决定；部门工作人员的回避也可由分管该部门的领导决定；"
                             "本人不能驳回对自己的回避申请", code="recusal_decider")
        note = _text(note, "note", "请填写决定意见")
        if request.status != "pending":
            raise Conflict("该回避申请已作出决定", code="recusal_decided")
        if uphold:
            if is_recused(session, case.id, target.id):
                raise Conflict("该人员已回避本案", code="already_recused")
            _bind(session, svc, case, request, actor, note)
            return _record(session, svc, actor, case, "user_recused", request, target, note=note[:500])
        request.status, request.decided_by_id, request.decided_at = "rejected", actor.id, svc.now()
        request.decision_note = note
        return _record(session, svc, actor, case, "recusal_rejected", request, target, note=note[:500])


def recuse_user(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str, ground: str = "other"
                ) -> CaseView:
    """A decider's own 回避 decision (决定回避), without a request: binds at once."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        target = _target(session, user_id)
        if not _may_decide(session, actor, case, target.id, svc.now()):
            raise NotAllowed("回避由主要负责人决定；部门工作人员的回避也可由分管该部门的领导决定",
                             code="recusal_decider")
        ground, reason = _ground(ground), _text(reason, "reason", "请填写回避理由")
        if is_recused(session, case.id, target.id):
            raise Conflict("该用户已回避本案", code="already_recused")
        request = RecusalRequest(case_id=case.id, user_id=target.id, kind="decision", ground=ground, grounds=reason,
                                 requested_by_id=actor.id, requested_at=svc.now(), status="pending")
        session.add(request)
        session.flush()
        _bind(session, svc, case, request, actor, reason)
        return _record(session, svc, actor, case, "user_recused", request, target)


def lift_recusal(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str) -> CaseView:
    """End a recusal (解除回避: the grounds no longer hold, or were wrong): the person reads the case again; their
    former claims stay released. Decided by whoever may decide that person's recusal, never by themselves."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        target = _target(session, user_id)
        if target.id == actor.id or not _may_decide(session, actor, case, target.id, svc.now()):
            raise NotAllowed("解除回避由主要负责人决定；部门工作人员也可由分管该部门的领导决定", code="recusal_decider")
        reason = _text(reason, "reason", "请填写解除回避的理由")
        if not is_recused(session, case.id, target.id):
            raise Conflict("该人员未回避本案", code="not_recused")
        session.execute(delete(Recusal).where(Recusal.case_id == case.id, Recusal.user_id == target.id))
        request = session.scalar(select(RecusalRequest).where(
            RecusalRequest.case_id == case.id, RecusalRequest.user_id == target.id, RecusalRequest.status == "upheld")
            .order_by(RecusalRequest.id.desc()).limit(1))
        if request is None:   # a recusal recorded before requests were kept
            request = RecusalRequest(case_id=case.id, user_id=target.id, kind="decision", ground="other",
                                     grounds="（历史记录）", requested_by_id=actor.id, requested_at=svc.now(),
                                     status="upheld")
            session.add(request)
        request.status, request.lifted_by_id, request.lifted_at, request.lift_reason = "lifted", actor.id, svc.now(), \
            reason
        session.flush()
        return _record(session, svc, actor, case, "recusal_lifted", request, target, lift_reason=reason[:500])


# ---- reads ----

def recusal_page(session: Session, user: User, case_id: int, now: datetime) -> dict:
    """The case's 回避 page: every request and its story, and what this user may do on it."""
    case = get_case(session, user, case_id, now)
    holdings = load_holdings(session, user.id, now)
    requests = list(session.scalars(select(RecusalRequest).where(RecusalRequest.case_id == case.id)
                                    .order_by(RecusalRequest.id.desc())))
    recused = set(session.scalars(select(Recusal.user_id).where(Recusal.case_id == case.id)))
    people = {r.user_id for r in requests} | recused
    context = case_context(session, case, user.id)
    decidable = {uid for uid in people if permissions.may_decide_recusal(
        user, holdings, uid, load_holdings(session, uid, now), context)}
    names = user_names(session, people | {r.requested_by_id for r in requests}
                       | {r.decided_by_id for r in requests if r.decided_by_id}
                       | {r.lifted_by_id for r in requests if r.lifted_by_id})
    open_for_self = user.id in recused or any(r.user_id == user.id and r.status == "pending" for r in requests)
    may_challenge = permissions.may_record_challenge(holdings)
    staff = list(session.execute(select(User.id, User.display_name, User.username).where(
        User.active.is_(True), User.username != "system").order_by(User.username))) if may_challenge else []
    return {"case": case, "requests": requests, "recused": recused, "names": names,
            "decidable": {r.id for r in requests if r.status == "pending" and r.user_id in decidable
                          and (r.user_id != user.id or r.kind == "declaration")},
            "liftable": {uid for uid in recused if uid in decidable and uid != user.id},
            "may_declare": not open_for_self, "may_challenge": may_challenge, "staff": staff}


def awaiting_decision(session: Session, user: User, now: datetime) -> list[dict]:
    """The pending 回避 requests this user may decide, on cases they read (the deciders' list, oldest first)."""
    rows = session.execute(
        select(RecusalRequest, Case.reference, Case.title).join(Case, Case.id == RecusalRequest.case_id)
        .where(RecusalRequest.status == "pending", readable(session, user, now))
        .order_by(RecusalRequest.requested_at, RecusalRequest.id)).all()
    holdings = load_holdings(session, user.id, now)
    mine = [(r, ref, title) for r, ref, title in rows if permissions.may_decide_recusal(
        user, holdings, r.user_id, load_holdings(session, r.user_id, now), permissions.NO_CASE)
        and (r.user_id != user.id or r.kind == "declaration")]
    names = user_names(session, {r.user_id for r, _f, _t in mine} | {r.requested_by_id for r, _f, _t in mine})
    return [{"request": r, "reference": ref, "title": title, "person": names.get(r.user_id, ""),
             "requested_by": names.get(r.requested_by_id, "")} for r, ref, title in mine]
