"""Helpers every case-layer transaction uses: load the actor, lock the case, check recusal, call the engine.

None of these commits: each runs inside the caller's `svc.db.write_session()` (or a read session).
Actions, deadlines, versioning and the calendar/account modules share them instead of restating them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import permissions
from service.cases.accounts import load_user
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org.access import readable_cases
from service.cases.org.holdings import load_holdings
from service.cases.org.positions import TASK_POSITION_LABELS, task_position
from service.cases.permissions import CaseContext
from service.models import Case, ProcessVersion, Recusal, User, WorkItem
from workflows.errors import DataInvalid, ExpressionError, RunLimitExceeded, TaskNotFound, TaskNotReady, TimerError


def load_actor(session: Session, user_id: int) -> User:
    """The acting user (detached), who must exist and be active."""
    user = load_user(session, user_id)
    if user is None or not user.active:
        raise NotAllowed("用户不存在或已停用")
    return user


def lock_case(session: Session, case_id: int) -> Case:
    """Lock the case row (PostgreSQL FOR UPDATE; SQLite holds the write lock since BEGIN IMMEDIATE)."""
    case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    return case


def is_recused(session: Session, case_id: int, user_id: int) -> bool:
    """Whether `user_id` is recused (回避) from the case."""
    return session.scalar(select(Recusal.id).where(Recusal.case_id == case_id, Recusal.user_id == user_id)) is not None


def refuse_recused(session: Session, case_id: int, actor: User) -> None:
    """The first check of every action on a case: a recused actor may do nothing on it (403 `recused`)."""
    if is_recused(session, case_id, actor.id):
        raise NotAllowed("您已回避本案，不能查看或办理本案", code="recused")


def lock_case_for(session: Session, case_id: int, actor: User, at: datetime) -> Case:
    """Lock the case, then refuse the actor if recused from it (before any other check); to anyone outside
    the need-to-know circle (org.access.readable_cases) the case does not exist."""
    case = lock_case(session, case_id)
    refuse_recused(session, case.id, actor)
    refuse_unreadable(session, case.id, actor.id, at)
    return case


def refuse_unreadable(session: Session, case_id: int, user_id: int, at: datetime,
                      holdings: permissions.Holdings | None = None) -> None:
    """NotFound unless the user is in the case's need-to-know circle (org.access.readable_cases): to anyone
    else the case, its tasks and its deadlines do not exist. `at`: the services' clock (grants and acting
    appointments end by it), never the wall clock."""
    rule = readable_cases(user_id, holdings or load_holdings(session, user_id, at), at)
    if session.scalar(select(Case.id).where(Case.id == case_id, rule)) is None:
        raise NotFound(f"案件 {case_id} 不存在")


def engine_call(func, *args):
    """Run an engine operation, turning engine errors into service errors."""
    try:
        return func(*args)
    except TaskNotReady as exc:
        raise Conflict(f"任务已不可办理：{exc}", code="task_not_ready")
    except TaskNotFound as exc:
        raise NotFound(f"任务不存在：{exc}")
    except ExpressionError as exc:
        raise InvalidInput(f"流程表达式执行失败：{exc}", code="process_expression_failed")
    except TimerError as exc:
        raise InvalidInput(f"流程定时器无效：{exc}", code="process_timer_invalid")
    except RunLimitExceeded as exc:
        raise InvalidInput(f"流程运行超出限制：{exc}", code="process_run_limit")
    except DataInvalid as exc:
        raise InvalidInput(f"数据无效：{exc}", exc.errors, code="invalid_data")


def latest_version(session: Session, process_key: str) -> ProcessVersion:
    """The newest deployed version of a process."""
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key).order_by(ProcessVersion.version.desc())
    )
    if version is None:
        raise NotFound(f"流程 {process_key} 尚未部署")
    return version


def find_latest_version(session: Session, process_key: str) -> ProcessVersion | None:
    """The newest deployed version of a process, or None."""
    return session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == process_key)
                          .order_by(ProcessVersion.version.desc()).limit(1))


def version_by_id(session: Session, version_id: int) -> ProcessVersion:
    """A process version by id."""
    version = session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound(f"流程版本 {version_id} 不存在")
    return version


def restore_workflow(svc, session: Session, case: Case):
    """The case's workflow restored from its stored state, on the case's own process version."""
    version = session.get(ProcessVersion, case.process_version_id)
    return engine_call(svc.engine.restore, svc.bundle(version), case.state)


def open_item_for_update(session: Session, task_id: str, actor: User, at: datetime) -> tuple[WorkItem, Case]:
    """The work item of `task_id` (re-read) with its case locked; a recused actor is refused first."""
    item = session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is None:
        raise NotFound(f"任务 {task_id} 不存在")
    case = lock_case_for(session, item.case_id, actor, at)
    session.refresh(item)
    return item, case


def check_may_act(session: Session, actor: User, role: str, lane: str, assignee_id: int | None, recused: bool,
                  case_id: int, department_id: int | None, at: datetime) -> permissions.Holdings:
    """Refuse a recused user, a user who does not fill the task's position on this case, or anyone but
    the claimant; returns the actor's holdings (what they act as)."""
    if recused:
        raise NotAllowed("您已回避本案，不能办理本案任务", code="recused")
    holdings = load_holdings(session, actor.id, at)
    context = CaseContext(case_id=case_id, recused=recused, department_id=department_id, holdings=holdings)
    if not permissions.may_do_task(actor, role, context, lane):
        # whoever fills the task's position reads the case; anyone else is told it does not exist
        refuse_unreadable(session, case_id, actor.id, at, holdings)
        label = TASK_POSITION_LABELS.get(task_position(role, lane), role)
        raise NotAllowed(f"此步骤由本案的“{label}”办理，您无权办理", code="wrong_position")
    if assignee_id is not None and assignee_id != actor.id:
        raise NotAllowed("此任务已由他人认领", code="claimed_by_other")
    return holdings


def system_user(session: Session) -> User:
    """The account that stands for the system when a timer starts a linked case."""
    user = session.scalar(select(User).where(User.username == "system"))
    if user is None:
        # "!" is no valid hash: the account can never log in
        user = User(username="system", display_name="系统", password_hash="!", roles_text="", active=False)  # noqa: S106
        session.add(user)
        session.flush()
    return user


def case_context(session: Session, case: Case, user_id: int, approvals: bool = False) -> CaseContext:
    """What the permission rules need to know about `case` for `user_id` (approvals: for need to know)."""
    recused = is_recused(session, case.id, user_id)
    if not approvals:
        return CaseContext(case_id=case.id, recused=recused, handler_id=case.handler_id)
    rows = session.execute(
        select(WorkItem.completed_by_id, WorkItem.role, WorkItem.completed_at)
        .where(WorkItem.case_id == case.id, WorkItem.approves.is_not(None))
    ).all()
    return CaseContext(case_id=case.id, recused=recused, handler_id=case.handler_id,
                       approver_ids=frozenset(r.completed_by_id for r in rows if r.completed_by_id),
                       open_approval_roles=frozenset(r.role for r in rows if r.completed_at is None))
