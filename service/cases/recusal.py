"""回避: a recused user may no longer see or act on the case."""

from __future__ import annotations

from sqlalchemy import update

from service.cases import audit, permissions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.runtime import Services
from service.cases.tx import is_recused, load_actor, lock_case
from service.models import Recusal, User, WorkItem


def recuse_user(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str) -> None:
    """Record a 回避 decision: the user may no longer see or act on the case (domain.md §8.6)."""
    if not (reason or "").strip():
        raise InvalidInput("请填写回避理由", {"reason": ["此项为必填项"]})
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        if not permissions.may_recuse(actor):
            raise NotAllowed("回避决定须由负责人作出")
        case = lock_case(session, case_id)
        target = session.get(User, user_id)
        if target is None:
            raise NotFound(f"用户 {user_id} 不存在")
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
