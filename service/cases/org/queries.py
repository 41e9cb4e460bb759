"""Read-only views of the organisation for the admin screens and the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from service.cases import permissions
from service.cases.errors import NotAllowed, NotFound
from service.cases.org import positions as vocab
from service.models import Case, Department, Position, User, WorkItem


def require_admin(user: User) -> None:
    if not permissions.may_administer_org(user):
        raise NotAllowed("只有系统管理员可以维护用户和部门", code="admin_only")


def _current(at: datetime):
    return and_(Position.valid_from <= at, or_(Position.valid_to.is_(None), Position.valid_to > at))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.id)))


def department_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.name)).all())


def position_row(position: Position, names: dict[int, str], at: datetime) -> dict:
    current = position.valid_from <= at and (position.valid_to is None or position.valid_to > at)
    return {"id": position.id, "kind": position.kind, "label": vocab.POSITION_LABELS.get(position.kind, position.kind),
            "department_id": position.department_id, "department": names.get(position.department_id),
            "valid_from": position.valid_from, "valid_to": position.valid_to, "current": current}


def users_with_positions(session: Session, at: datetime) -> list[dict]:
    """Every account (the system account aside) with its current positions."""
    names = department_names(session)
    users = session.scalars(select(User).where(User.username != "system").order_by(User.username)).all()
    held: dict[int, list] = {}
    for position in session.scalars(select(Position).where(_current(at)).order_by(Position.id)):
        held.setdefault(position.user_id, []).append(position_row(position, names, at))
    return [{"user": u, "positions": held.get(u.id, [])} for u in users]


def user_record(session: Session, user_id: int, at: datetime) -> dict:
    """One account with its whole position history and what it still holds (claims, open cases)."""
    user = session.get(User, user_id)
    if user is None or user.username == "system":
        raise NotFound(f"用户 {user_id} 不存在")
    names = department_names(session)
    history = [position_row(p, names, at) for p in session.scalars(
        select(Position).where(Position.user_id == user.id).order_by(Position.valid_from, Position.id))]
    claimed = session.execute(select(WorkItem.task_id, WorkItem.title, Case.id, Case.reference)
                              .join(Case, Case.id == WorkItem.case_id)
                              .where(WorkItem.assignee_id == user.id, WorkItem.completed_at.is_(None))).all()
    return {"user": user, "positions": [p for p in history if p["current"]], "history": history,
            "claimed": claimed, "open_cases": orphaned_cases(session, [user.id])}


def orphaned_cases(session: Session, user_ids: list[int]) -> list:
    """Open cases whose handler is one of `user_ids` (for a head after a deactivation)."""
    if not user_ids:
        return []
    names = department_names(session)
    rows = session.execute(select(Case.id, Case.reference, Case.title, Case.department_id, Case.handler_id)
                           .where(Case.handler_id.in_(user_ids), Case.status == "open").order_by(Case.id)).all()
    return [{"case_id": r.id, "reference": r.reference, "title": r.title, "handler_id": r.handler_id,
             "department": names.get(r.department_id)} for r in rows]


def open_assignments_of_inactive(session: Session, head: User, at: datetime) -> list[dict]:
    """For a department head: open cases of their departments whose handler's account is deactivated."""
    heads = select(Position.department_id).where(Position.user_id == head.id, Position.kind == "head", _current(at))
    rows = session.execute(
        select(Case.id, Case.reference, Case.title, User.display_name)
        .join(User, User.id == Case.handler_id)
        .where(User.active.is_(False), Case.status == "open", Case.department_id.in_(heads)).order_by(Case.id)).all()
    return [{"case_id": r.id, "reference": r.reference, "title": r.title, "handler": r.display_name} for r in rows]
