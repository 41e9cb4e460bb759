"""Admin actions on the organisation. Each public function is one transaction with one audit event
on the `org` chain, like the case actions: check, change, record, commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from service.cases import audit, permissions, sessions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org import positions as vocab
from service.cases.runtime import Services
from service.models import Case, Department, Position, User, WorkItem

ORG_CHAIN = "org"
DEPARTMENT_KINDS = {
    "intake": "信访举报", "case_management": "案件监督管理", "supervision": "监督检查",
    "investigation": "审查调查", "review": "案件审理", "office": "综合办公", "leadership": "领导班子",
    "other": "其他",
}
MIN_PASSWORD = 8
UNASSIGNED = "未分配部门"


def _actor(session: Session, actor_id: int | None) -> User:
    actor = session.get(User, actor_id) if actor_id is not None else None
    if actor is None or not actor.active:
        raise NotAllowed("用户不存在或已停用")
    return actor


def _admin(session: Session, actor_id: int | None) -> User | None:
    """The acting admin; None stands for the system itself (CLI, demo data), which may do everything."""
    if actor_id is None:
        return None
    actor = _actor(session, actor_id)
    if not permissions.may_administer_org(actor):
        raise NotAllowed("只有系统管理员可以维护用户和部门", code="admin_only")
    return actor


# An administrator keeps the system running; they must not be able to give themselves (or an account they
# control) the office's powers. Positions that read every case or administer accounts are granted only by the
# server's operator (CLI: `qingfeng grant-position`), and an administrator never holds a position that reads
# case content (separation of duties).
OPERATOR_ONLY_POSITIONS = ("principal", "auditor", "admin")
ADMIN_COMPATIBLE_POSITIONS = ("admin", "designer")
ESCALATION_CODES = ("self_change", "operator_only", "separation_of_duties")


def _refuse_escalation(session: Session, actor: User | None, user: User, kind: str | None, at: datetime) -> None:
    """Refuse an administrator's change that would widen what they (or an account they set up) may do."""
    if actor is None:
        return   # the operator (CLI, demo data)
    if user.id == actor.id:
        raise NotAllowed("不能变更自己的职务或密码：请由另一名系统管理员办理，或在“修改密码”页修改本人密码",
                         code="self_change")
    if kind in OPERATOR_ONLY_POSITIONS:
        raise NotAllowed(f"“{vocab.POSITION_LABELS[kind]}”职务只能由服务器管理员通过命令行授予", code="operator_only")
    if kind is None:
        return
    held = {p.kind for p in current_positions(session, user.id, at)} | {kind}
    if "admin" in held and held - set(ADMIN_COMPATIBLE_POSITIONS):
        raise NotAllowed("系统管理员不能同时担任办案、审批或审计职务（职责分离）", code="separation_of_duties")


def _refuse_operator_account(session: Session, actor: User | None, user: User, at: datetime) -> None:
    """An administrator does not reset the password of an account holding an operator-only position: whoever
    knows the new password could act as the principal, an auditor or another administrator."""
    if actor is None:
        return
    if user.id == actor.id:
        raise NotAllowed("不能在系统管理中重置自己的密码，请使用“修改密码”", code="self_change")
    if any(p.kind in OPERATOR_ONLY_POSITIONS for p in current_positions(session, user.id, at)):
        raise NotAllowed("主要负责人、审计人员和系统管理员的账号（重置密码、恢复账号）只能由服务器管理员通过命令行办理",
                         code="operator_only")


def record(svc: Services, session: Session, actor: User | None, action: str, summary: dict) -> None:
    audit.append(session, chain=ORG_CHAIN, at=svc.now(), action=action, actor_id=actor.id if actor else None,
                 actor_name=actor.display_name if actor else "系统", summary=summary)


def _department(session: Session, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound(f"部门 {department_id} 不存在")
    return department


def current_positions(session: Session, user_id: int, at: datetime) -> list[Position]:
    return list(session.scalars(select(Position).where(
        Position.user_id == user_id, Position.valid_from <= at,
        (Position.valid_to.is_(None)) | (Position.valid_to > at)).order_by(Position.id)))


def refresh_roles(session: Session, user: User, at: datetime) -> None:
    """Rewrite the user's capability cache from the positions they hold now (same transaction)."""
    session.flush()
    user.roles_text = ",".join(vocab.roles_of(p.kind for p in current_positions(session, user.id, at)))


def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位", {"password": [f"密码至少 {MIN_PASSWORD} 位"]})


def hold(session: Session, user: User, kind: str, department: Department | None, at: datetime,
         created_by_id: int | None) -> Position:
    """Add a position to the user (no commit, no audit: the calling action does both)."""
    if kind not in vocab.POSITIONS:
        raise InvalidInput(f"未知职务 {kind}", {"kind": ["未知职务"]})
    if kind in vocab.DEPARTMENT_POSITIONS and department is None:
        raise InvalidInput("此职务须指定部门", {"department_id": ["此职务须指定部门"]})
    if kind not in vocab.DEPARTMENT_POSITIONS:
        department = None
    for held in current_positions(session, user.id, at):
        if held.kind == kind and held.department_id == (department.id if department else None):
            raise Conflict("该用户已担任此职务", code="position_held")
    position = Position(user_id=user.id, kind=kind, department_id=department.id if department else None,
                        valid_from=at, created_by_id=created_by_id)
    session.add(position)
    refresh_roles(session, user, at)
    return position


_KIND_BY_NAME = (("信访", "intake"), ("案件监督管理", "case_management"), ("案管", "case_management"),
                 ("监督检查", "supervision"), ("审查调查", "investigation"), ("审理", "review"), ("办公室", "office"))


def guess_kind(name: str) -> str:
    """A department's kind from its usual name (as the migration classified existing departments)."""
    return next((kind for word, kind in _KIND_BY_NAME if word in name), "other")


def ensure_department(session: Session, name: str, kind: str | None = None) -> Department:
    """The department of this name, created if missing (no commit: the calling action owns the transaction)."""
    department = session.scalar(select(Department).where(Department.name == name))
    if department is None:
        department = Department(name=name, kind=kind or guess_kind(name))
        session.add(department)
        session.flush()
    return department


# ---- departments ----

def create_department(svc: Services, actor_id: int | None, name: str, kind: str = "other") -> int:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写部门名称", {"name": ["此项为必填项"]})
    if kind not in DEPARTMENT_KINDS:
        raise InvalidInput(f"未知部门类别 {kind}", {"kind": ["未知部门类别"]})
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        if session.scalar(select(Department.id).where(Department.name == name)) is not None:
            raise Conflict(f"部门 {name} 已存在", code="department_exists")
        department = Department(name=name[:128], kind=kind, created_at=svc.now())
        session.add(department)
        session.flush()
        record(svc, session, actor, "department_created", {"department_id": department.id, "name": name})
        return department.id


def update_department(svc: Services, actor_id: int, department_id: int, name: str, kind: str,
                      active: bool) -> None:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写部门名称", {"name": ["此项为必填项"]})
    if kind not in DEPARTMENT_KINDS:
        raise InvalidInput(f"未知部门类别 {kind}", {"kind": ["未知部门类别"]})
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        department = _department(session, department_id)
        clash = session.scalar(select(Department.id).where(Department.name == name, Department.id != department.id))
        if clash is not None:
            raise Conflict(f"部门 {name} 已存在", code="department_exists")
        before = {"name": department.name, "kind": department.kind, "active": department.active}
        department.name, department.kind, department.active = name[:128], kind, bool(active)
        record(svc, session, actor, "department_updated",
                {"department_id": department.id, "before": before,
                 "after": {"name": department.name, "kind": kind, "active": bool(active)}})


# ---- users ----

def create_user(svc: Services, actor_id: int | None, username: str, display_name: str, password: str,
                held: list[tuple[str, int | None]]) -> int:
    """Create an account with its positions [(kind, department id)]."""
    username, display_name = (username or "").strip(), (display_name or "").strip()
    errors = {}
    if not username or len(username) > 64:
        errors["username"] = ["请填写 1–64 个字符的用户名"]
    if not display_name:
        errors["display_name"] = ["此项为必填项"]
    if errors:
        raise InvalidInput("用户信息有误", errors)
    validate_password(password)
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"用户名 {username} 已存在", code="user_exists")
        now = svc.now()
        user = User(username=username, display_name=display_name[:64], created_at=now,
                    password_hash=generate_password_hash(password, method=svc.config.PASSWORD_HASH_METHOD))
        session.add(user)
        session.flush()
        for kind, department_id in held:
            _refuse_escalation(session, actor, user, kind, now)
            hold(session, user, kind, _department(session, department_id), now, actor.id if actor else None)
        record(svc, session, actor, "user_created",
                {"user_id": user.id, "username": username, "positions": [list(p) for p in held]})
        return user.id


def add_position(svc: Services, actor_id: int, user_id: int, kind: str, department_id: int | None) -> int:
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        user = _target(session, user_id)
        _refuse_escalation(session, actor, user, kind, svc.now())
        department = _department(session, department_id)
        position = hold(session, user, kind, department, svc.now(), actor.id if actor else None)
        session.flush()
        record(svc, session, actor, "position_added",
                {"user_id": user.id, "username": user.username, "position_id": position.id, "kind": kind,
                 "department_id": position.department_id})
        return position.id


def end_position(svc: Services, actor_id: int, position_id: int) -> None:
    """End a position now; the row stays, so what the user did while holding it stays attributed."""
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        position = session.get(Position, position_id)
        now = svc.now()
        if position is None:
            raise NotFound(f"职务记录 {position_id} 不存在")
        if position.valid_to is not None and position.valid_to <= now:
            raise Conflict("该职务已结束", code="position_ended")
        user = session.get(User, position.user_id)
        _refuse_escalation(session, actor, user, None, now)
        if actor is not None and position.kind in OPERATOR_ONLY_POSITIONS:
            raise NotAllowed(f"“{vocab.POSITION_LABELS[position.kind]}”职务只能由服务器管理员通过命令行变更",
                             code="operator_only")
        position.valid_to = now
        refresh_roles(session, user, now)
        record(svc, session, actor, "position_ended",
                {"user_id": user.id, "username": user.username, "position_id": position.id, "kind": position.kind,
                 "department_id": position.department_id})


def move_user(svc: Services, actor_id: int, position_id: int, department_id: int) -> int:
    """Move a department position to another department: the old one ends, a new one starts, one event."""
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        position = session.get(Position, position_id)
        now = svc.now()
        if position is None or (position.valid_to is not None and position.valid_to <= now):
            raise NotFound(f"职务记录 {position_id} 不存在或已结束")
        if position.kind not in vocab.DEPARTMENT_POSITIONS:
            raise InvalidInput("此职务不属于部门", {"department_id": ["此职务不属于部门"]})
        department = _department(session, department_id)
        user = session.get(User, position.user_id)
        _refuse_escalation(session, actor, user, position.kind, now)
        position.valid_to = now
        new = hold(session, user, position.kind, department, now, actor.id if actor else None)
        session.flush()
        record(svc, session, actor, "user_moved",
                {"user_id": user.id, "username": user.username, "kind": position.kind,
                 "from_department_id": position.department_id, "to_department_id": department.id,
                 "position_id": new.id})
        return new.id


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.username == "system":
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def reset_password(svc: Services, actor_id: int, user_id: int, password: str) -> None:
    validate_password(password)
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        user = _target(session, user_id)
        _refuse_operator_account(session, actor, user, svc.now())
        user.password_hash = generate_password_hash(password, method=svc.config.PASSWORD_HASH_METHOD)
        sessions.end_all(session, user.id, svc.now(), "password_reset")  # whoever held the old password is out
        record(svc, session, actor, "password_reset", {"user_id": user.id, "username": user.username})


def deactivate_user(svc: Services, actor_id: int, user_id: int) -> dict:
    """Deactivate an account: its claimed tasks go back to the pool, its open cases are listed for the heads."""
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        user = _target(session, user_id)
        if actor is not None and user.id == actor.id:
            raise Conflict("不能停用自己的账号", code="self_deactivation")
        if not user.active:
            raise Conflict("该用户已停用", code="already_inactive")
        claimed = session.execute(
            select(WorkItem.task_id, WorkItem.case_id, WorkItem.title).where(
                WorkItem.assignee_id == user.id, WorkItem.completed_at.is_(None)).order_by(WorkItem.id)).all()
        session.execute(update(WorkItem).where(WorkItem.assignee_id == user.id, WorkItem.completed_at.is_(None))
                        .values(assignee_id=None))
        handled = session.execute(select(Case.id, Case.reference, Case.title, Case.department_id).where(
            Case.handler_id == user.id, Case.status == "open").order_by(Case.id)).all()
        user.active = False
        sessions.end_all(session, user.id, svc.now(), "deactivated")  # logged out now, and not revived later
        released = [{"task_id": t.task_id, "case_id": t.case_id, "title": t.title} for t in claimed]
        open_cases = [{"case_id": c.id, "reference": c.reference, "title": c.title,
                       "department_id": c.department_id} for c in handled]
        record(svc, session, actor, "user_deactivated",
                {"user_id": user.id, "username": user.username, "released_tasks": [t["task_id"] for t in released],
                 "open_cases": [c["case_id"] for c in open_cases]})
        return {"released": released, "open_cases": open_cases}


def reactivate_user(svc: Services, actor_id: int, user_id: int) -> None:
    with svc.db.write_session() as session:
        actor = _admin(session, actor_id)
        user = _target(session, user_id)
        _refuse_operator_account(session, actor, user, svc.now())   # an operator's account: the operator's call
        if user.active:
            raise Conflict("该用户未停用", code="already_active")
        user.active = True
        record(svc, session, actor, "user_reactivated", {"user_id": user.id, "username": user.username})
