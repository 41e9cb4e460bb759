"""回避: a recused user may no longer see or act on the case."""

from __future__ import annotations

from sqlalchemy import update

from service.cases import audit, permissions
from service.cases.accounts import load_user
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.runtime import Services
from service.cases.tx import case_context, is_recused, load_actor, lock_case_for
from service.models import Recusal, WorkItem


def recuse_user(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str) -> None:
    """Record a 回避 decision: the user may no longer see or act on the case (domain.md §8.6).

    Checked in this order: the actor's own recusal, the target, rank (`permissions.may_recuse`), the reason.
    """
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor)
        target = load_user(session, user_id)
        if target is None:
            raise NotFound(f"用户 {user_id} 不存在")
        if not permissions.may_recuse(actor, target, case_context(session, case, actor.id)):
            raise NotAllowed("回避决定须由职级高于被回避人的负责人作出（本人可主动回避）", code="rank")
        if not (reason or "").strip():
            raise InvalidInput("请填写回避理由", {"reason": ["此项为必填项"]})
        if is_recused(session, case.id, target.id):
            raise Conflict("该用户已回避本案", code="already_recused")
        session.add(Recusal(case_id=case.id, user_id=target.id, reason=reason.strip(), decided_by_id=actor.id,
                            created_at=svc.now()))
        session.execute(update(WorkItem).where(WorkItem.case_id == case.id, WorkItem.assignee_id == target.id,
                                               WorkItem.completed_at.is_(None)).values(assignee_id=None))
        if case.handler_id == target.id:
            case.handler_id = None
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="user_recused", actor_id=actor.id,
                     actor_name=actor.display_name, case_id=case.id,
                     summary={"user": target.username, "reason": reason.strip()[:500]})
