"""The case service's public actions. Each is one transaction: state, projections and one audit event."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.accounts import load_user
from service.cases import audit, forms, permissions
from service.cases import statements as sql
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooLarge
from service.cases.projections import (
    case_columns,
    sync_case_row,
    sync_timers,
    sync_work_items,
    write_timers,
    write_work_items,
)
from service.cases.runtime import Services
from service.models import (
    Case,
    CaseLink,
    ProcessVersion,
    Recusal,
    ReferenceCounter,
    Reporter,
    User,
    WorkItem,
)
from workflows.errors import ExpressionError, SpecInvalid, TaskNotFound, TaskNotReady
from workflows.specs import MAX_FILE_BYTES, content_hash, load_bundle

log = logging.getLogger(__name__)
REPORTER_PREFIX = "reporter_"


# ---- helpers shared by the actions (not transactions themselves) ----

def _user(session: Session, user_id: int) -> User:
    user = load_user(session, user_id)
    if user is None or not user.active:
        raise NotAllowed("用户不存在或已停用")
    return user


def _lock_case(session: Session, case_id: int) -> Case:
    """Lock the case row (PostgreSQL FOR UPDATE; SQLite holds the write lock since BEGIN IMMEDIATE)."""
    case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    return case


def _is_recused(session: Session, case_id: int, user_id: int) -> bool:
    return session.scalar(select(Recusal.id).where(Recusal.case_id == case_id, Recusal.user_id == user_id)) is not None


def _split_reporter(data: dict) -> tuple[dict, dict]:
    clean = {k: v for k, v in data.items() if not k.startswith(REPORTER_PREFIX)}
    reporter = {k: v for k, v in data.items() if k.startswith(REPORTER_PREFIX) and v not in (None, "")}
    return clean, reporter


def _store_reporter(session: Session, case_id: int, fields: dict, now) -> None:
    if not fields:
        return
    row = session.scalar(select(Reporter).where(Reporter.case_id == case_id))
    if row is None:
        session.add(Reporter(case_id=case_id, fields=fields, created_at=now, updated_at=now))
    else:
        row.fields, row.updated_at = {**row.fields, **fields}, now


def _next_reference(session: Session, now) -> str:
    prefix = f"GX-{now.year}"
    bumped = session.execute(
        update(ReferenceCounter).where(ReferenceCounter.prefix == prefix)
        .values(last=ReferenceCounter.last + 1).returning(ReferenceCounter.last)
    ).scalar()
    if bumped is None:
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(prefix=prefix, last=1))
            bumped = 1
        except IntegrityError:
            return _next_reference(session, now)
    return f"{prefix}-{bumped:04d}"


def _latest_version(session: Session, process_key: str) -> ProcessVersion:
    version = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key).order_by(ProcessVersion.version.desc())
    )
    if version is None:
        raise NotFound(f"流程 {process_key} 尚未部署")
    return version


def _validate_form(schema: dict | None, data: dict) -> None:
    if schema is None:
        if data:
            raise InvalidInput("此步骤没有表单，不接受提交数据", {k: ["表单中没有此字段"] for k in data})
        return
    errors = forms.validate(schema, data)
    if errors:
        raise InvalidInput("表单内容有误，请按提示修改", errors)


def _engine_call(func, *args):
    """Run an engine operation, turning engine errors into service errors."""
    try:
        return func(*args)
    except TaskNotReady as exc:
        raise Conflict(f"任务已不可办理：{exc}", code="task_not_ready")
    except TaskNotFound as exc:
        raise NotFound(f"任务不存在：{exc}")
    except ExpressionError as exc:
        raise InvalidInput(f"流程表达式执行失败：{exc}", code="process_expression_failed")


def _create_case(svc: Services, session: Session, actor: User, version: ProcessVersion, title: str, data: dict,
                 linked_from: Case | CaseSnapshot | None = None) -> Case:
    """Insert a case, run it to its first wait state, and append its `case_started` event."""
    now = svc.now()
    bundle = svc.bundle(version)
    clean, reporter_fields = _split_reporter(data)
    if linked_from is not None:
        clean["linked_from"] = linked_from.reference
    clean.setdefault("title", title)
    clean.setdefault("settings", {})  # processes read their time limits with get(settings, name, default)
    wf = _engine_call(svc.engine.start, bundle, clean)
    case = Case(
        reference=_next_reference(session, now), title=title[:256], process_key=version.process_key,
        process_version_id=version.id, created_by_id=actor.id, department=actor.department, created_at=now,
        state={}, version=0,
    )
    session.add(case)
    session.flush()
    _store_reporter(session, case.id, reporter_fields, now)
    open_items = sync_work_items(session, svc.engine, case, wf, now, actor.id, None)
    sync_timers(session, svc.engine, case, wf, now)
    sync_case_row(svc.engine, case, wf, open_items, now)
    linked = _start_requested_cases(svc, session, actor, case, wf)
    summary = {"process_key": version.process_key, "process_version": version.version, "title": title,
               "data": audit.summarize(clean), "reporter_recorded": bool(reporter_fields)}
    if linked_from is not None:
        summary["linked_from"] = linked_from.reference
    if linked:
        summary["linked_cases"] = linked
    audit.append(session, chain=audit.case_chain(case.id), at=now, action="case_started", actor_id=actor.id,
                 actor_name=actor.display_name, case_id=case.id, summary=summary)
    return case


def _start_requested_cases(svc: Services, session: Session, actor: User, case: Case | CaseSnapshot, wf,
                           data: dict | None = None) -> list[str]:
    """Start each case the process asked for (`start_case_<name>`) once, and link it both ways."""
    requests = svc.engine.case_requests(wf, data)
    if not requests:
        return []
    done = set(session.scalars(select(CaseLink.request_name).where(CaseLink.from_case_id == case.id)))
    started = []
    for name, request in sorted(requests.items()):
        if name in done:
            continue
        if not isinstance(request, dict) or not request.get("process_key"):
            raise InvalidInput(f"关联案件请求 {name} 缺少 process_key", code="process_expression_failed")
        version = _latest_version(session, str(request["process_key"]))
        title = str(request.get("title") or f"{case.title}（关联）")
        child = _create_case(svc, session, actor, version, title, dict(request.get("data") or {}), linked_from=case)
        session.add(CaseLink(from_case_id=case.id, to_case_id=child.id, request_name=name, created_at=svc.now()))
        started.append(child.reference)
    return started


# ---- public actions ----

def start_case(svc: Services, actor_id: int, process_key: str, title: str, data: dict) -> int:
    """Start a case of the latest version of `process_key`; returns the case id."""
    with svc.db.write_session() as session:
        actor = _user(session, actor_id)
        version = _latest_version(session, process_key)
        if not permissions.can_start(actor.roles, version.start_role_list):
            raise NotAllowed(f"您的角色不能发起“{version.name}”")
        case = _create_case(svc, session, actor, version, title, data)
        return case.id


def _open_item_for_update(session: Session, task_id: str) -> tuple[WorkItem, Case]:
    item = session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is None:
        raise NotFound(f"任务 {task_id} 不存在")
    case = _lock_case(session, item.case_id)
    session.refresh(item)
    return item, case


def _check_may_act(actor: User, role: str, assignee_id: int | None, recused: bool) -> None:
    if recused:
        raise NotAllowed("您已回避本案，不能办理本案任务", code="recused")
    if not permissions.can_complete(actor.roles, role):
        raise NotAllowed(f"此步骤由“{role}”角色办理，您无权办理", code="wrong_role")
    if assignee_id is not None and assignee_id != actor.id:
        raise NotAllowed("此任务已由他人认领", code="claimed_by_other")


def claim_task(svc: Services, actor_id: int, task_id: str) -> int:
    with svc.db.write_session() as session:
        actor = _user(session, actor_id)
        item, case = _open_item_for_update(session, task_id)
        if item.completed_at is not None:
            raise Conflict("任务已办结，不能认领", code="task_not_ready")
        _check_may_act(actor, item.role, item.assignee_id, _is_recused(session, case.id, actor.id))
        item.assignee_id = actor.id
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="task_claimed", actor_id=actor.id,
                     actor_name=actor.display_name, case_id=case.id, task_bpmn_id=item.bpmn_id, task_title=item.title)
        return case.id


def release_task(svc: Services, actor_id: int, task_id: str) -> int:
    with svc.db.write_session() as session:
        actor = _user(session, actor_id)
        item, case = _open_item_for_update(session, task_id)
        if item.completed_at is not None:
            raise Conflict("任务已办结", code="task_not_ready")
        if item.assignee_id != actor.id and not actor.has_role("admin"):
            raise NotAllowed("只能释放自己认领的任务", code="not_claimant")
        item.assignee_id = None
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="task_released",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=case.id, task_bpmn_id=item.bpmn_id,
                     task_title=item.title)
        return case.id


@dataclass(frozen=True)
class CaseSnapshot:
    """The case row's list columns as a completion left them."""

    id: int
    reference: str
    title: str
    process_key: str
    status: str
    outcome: str | None
    stage: str
    subject_name: str
    handler_id: int | None
    due_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    version: int


@dataclass(frozen=True)
class Completion:
    """What a completed task left behind: enough to answer without reading the case again."""

    case: CaseSnapshot
    process_version: int
    data: dict      # the case data (a snapshot; redact it for the reader)
    tasks: list     # the case's open work items (rows with the TaskOut fields)
    links: list[dict]
    deadline_warnings: list[str]  # deadlines of the case in years without holiday data

    @property
    def case_id(self) -> int:
        return self.case.id


def complete_task(svc: Services, actor_id: int, task_id: str, data: dict, case_version: int | None = None
                  ) -> Completion:
    """Complete a ready human task after every check."""
    done, wf = _complete_task(svc, actor_id, task_id, data, case_version)
    svc.workflows.put(done.case.id, done.case.version, wf, done.data)  # only after the commit succeeded
    return done


def _complete_task(svc: Services, actor_id: int, task_id: str, data: dict, case_version: int | None):
    with svc.db.write_session() as session:
        conn = session.connection()
        actor = _user(session, actor_id)
        row, open_rows = _checked_item(session, actor, task_id, case_version)
        case_id, flags = row.case_id, open_rows[0]
        bundle = svc.bundle_of(session, row.process_version_id, row.sha256)
        _validate_form(bundle.forms.get(row.form) if row.form else None, data)
        now = svc.now()
        clean, reporter_fields = _split_reporter(data)
        _store_reporter(session, case_id, reporter_fields, now)
        wf = svc.workflows.take(case_id, row.version)
        if wf is None:
            wf = _engine_call(svc.engine.restore, bundle, json.loads(row.state_text))
        _engine_call(svc.engine.complete, wf, task_id, clean)
        open_items = write_work_items(conn, svc.engine, case_id, open_rows, wf, now, actor.id, task_id)
        timers = write_timers(conn, svc.engine, case_id, flags.has_timers, wf, now)
        case_data = svc.engine.case_data(wf)
        handler_id = actor.id if row.role == "handler" and row.handler_id is None else row.handler_id
        columns = case_columns(svc.engine, wf, case_data, [i.title for i in open_items],
                               [i.due_at for i in open_items], now, row.closed_at, row.version)
        conn.execute(sql.UPDATE_CASE, {"case_id": case_id, "handler_id": handler_id, **columns})
        case = CaseSnapshot(
            id=case_id, reference=row.reference, title=row.title, process_key=row.process_key, handler_id=handler_id,
            subject_name=columns.get("subject_name", row.subject_name), created_at=row.created_at,
            closed_at=columns.get("closed_at", row.closed_at),
            **{k: columns[k] for k in ("status", "outcome", "stage", "due_at", "version")})
        linked = _start_requested_cases(svc, session, actor, case, wf, case_data)
        summary = {"data": audit.summarize(clean), "reporter_recorded": bool(reporter_fields)}
        if linked:
            summary["linked_cases"] = linked
        if case.status == "completed":
            summary["outcome"] = case.outcome
        audit.append(session, chain=audit.case_chain(case_id), at=now, action="task_completed", actor_id=actor.id,
                     actor_name=actor.display_name, case_id=case_id, task_bpmn_id=row.bpmn_id,
                     task_title=row.item_title, summary=summary)
        done = Completion(case=case, process_version=row.process_version, data=copy.deepcopy(case_data),
                          tasks=open_items, links=sql.case_links(conn, case_id) if flags.has_links or linked else [],
                          deadline_warnings=svc.calendar().warnings_for_dues(
                              now, [i.due_at for i in open_items] + [t["due_at"] for t in timers]))
        return done, wf


def _checked_item(session: Session, actor: User, task_id: str, case_version: int | None):
    """The task's row (work item, locked case, version) and the case's open items, after every check that
    needs no engine. The open items come with the recusal, link and timer flags (never empty: the task is one)."""
    conn = session.connection()
    row = conn.execute(sql.ITEM_AND_CASE, {"task_id": task_id}).first()
    if row is None:
        raise NotFound(f"任务 {task_id} 不存在")
    if case_version is not None and case_version != row.version:
        raise Conflict(f"案件已更新（当前版本 {row.version}），请刷新后重试", code="stale_case_version")
    if row.completed_at is not None:
        raise Conflict("任务已办理，不能重复提交", code="task_not_ready")
    open_rows = conn.execute(sql.OPEN_ITEMS, {"case_id": row.case_id, "actor_id": actor.id}).all()
    _check_may_act(actor, row.role, row.assignee_id, open_rows[0].recused)
    if row.approves:
        _check_four_eyes(session, actor, row.case_id, row.approves)
    return row, open_rows


def _check_four_eyes(session: Session, actor: User, case_id: int, approves: str) -> None:
    approved_by = session.scalar(
        select(WorkItem.completed_by_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == approves, WorkItem.resolution == "completed"
        ).order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(1)
    )
    if permissions.violates_four_eyes(actor.id, approved_by):
        raise NotAllowed("不能审批自己办理的事项（双人原则）", code="four_eyes")


def fire_due_timers(svc: Services, case_id: int, actor_name: str = "定时器") -> list[str]:
    """Fire the case's due timers (engine clock) and record it; returns the fired timer ids."""
    with svc.db.write_session() as session:
        return fire_locked_case_timers(svc, session, _lock_case(session, case_id), actor_name)


def fire_locked_case_timers(svc: Services, session: Session, case: Case, actor_name: str = "定时器") -> list[str]:
    """Fire a case's due timers inside the caller's transaction, which holds the case lock.

    Shared by `fire_due_timers` and the timer worker (service/timer_worker.py), whose transaction
    also holds the timer row lock; the caller commits, so a crash before commit changes nothing.
    """
    if case.status != "open":
        return []
    version = session.get(ProcessVersion, case.process_version_id)
    wf = _engine_call(svc.engine.restore, svc.bundle(version), case.state)
    fired = _engine_call(svc.engine.fire_due_timers, wf)
    if not fired:
        return []
    now = svc.now()
    open_items = sync_work_items(session, svc.engine, case, wf, now, None, None)
    sync_timers(session, svc.engine, case, wf, now)
    sync_case_row(svc.engine, case, wf, open_items, now)
    linked = _start_requested_cases(svc, session, _system_user(session), case, wf)
    summary = {"timers": fired, **({"linked_cases": linked} if linked else {})}
    audit.append(session, chain=audit.case_chain(case.id), at=now, action="timer_fired", actor_id=None,
                 actor_name=actor_name, case_id=case.id, summary=summary)
    return fired


def _system_user(session: Session) -> User:
    """The account that stands for the system when a timer starts a linked case."""
    user = session.scalar(select(User).where(User.username == "system"))
    if user is None:
        # "!" is no valid hash: the account can never log in
        user = User(username="system", display_name="系统", password_hash="!", roles_text="", active=False)  # noqa: S106
        session.add(user)
        session.flush()
    return user


def read_reporter(svc: Services, actor_id: int, case_id: int, reason: str) -> dict:
    """Return the reporter's identity to someone who needs to know, recording the read."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明查看举报人信息的理由", {"reason": ["此项为必填项"]})
    with svc.db.write_session() as session:
        actor = _user(session, actor_id)
        case = _lock_case(session, case_id)
        approvals = session.execute(
            select(WorkItem.completed_by_id, WorkItem.role, WorkItem.completed_at)
            .where(WorkItem.case_id == case.id, WorkItem.approves.is_not(None))
        ).all()
        allowed = permissions.can_see_reporter(
            actor.id, actor.roles, _is_recused(session, case.id, actor.id), case.handler_id,
            [r.completed_by_id for r in approvals if r.completed_by_id],
            [r.role for r in approvals if r.completed_at is None],
        )
        if not allowed:
            raise NotAllowed("举报人信息仅限受理人员、承办人和审批领导查看", code="need_to_know")
        row = session.scalar(select(Reporter).where(Reporter.case_id == case.id))
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="reporter_viewed",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                     summary={"reason": reason[:500], "present": row is not None})
        return dict(row.fields) if row else {}


def recuse_user(svc: Services, actor_id: int, case_id: int, user_id: int, reason: str) -> None:
    """Record a 回避 decision: the user may no longer see or act on the case (domain.md §8.6)."""
    if not (reason or "").strip():
        raise InvalidInput("请填写回避理由", {"reason": ["此项为必填项"]})
    with svc.db.write_session() as session:
        actor = _user(session, actor_id)
        if not actor.has_role("supervisor", "leader", "admin"):
            raise NotAllowed("回避决定须由负责人作出")
        case = _lock_case(session, case_id)
        target = session.get(User, user_id)
        if target is None:
            raise NotFound(f"用户 {user_id} 不存在")
        if _is_recused(session, case.id, target.id):
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


@dataclass(frozen=True)
class DeployResult:
    version_id: int
    process_key: str
    version: int
    created: bool


def deploy_process(svc: Services, actor_id: int | None, files: dict[str, bytes], comment: str = "") -> DeployResult:
    """Store a new immutable version of a process; identical content is a no-op returning the existing one."""
    for name, data in files.items():
        if len(data) > min(MAX_FILE_BYTES, svc.config.MAX_UPLOAD_BYTES):
            raise TooLarge(f"文件 {name} 超过大小上限")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"文件 {name} 不是 UTF-8 编码", [{"file": name, "element_id": None, "line": None,
                                                             "message": "文件须为 UTF-8 编码"}], code="invalid_process")
    try:
        bundle = load_bundle(files)
    except SpecInvalid as exc:
        raise InvalidInput("流程文件未通过检查", [p.to_dict() for p in exc.problems], code="invalid_process")
    sha = content_hash(files)
    with svc.db.write_session() as session:
        actor = _user(session, actor_id) if actor_id is not None else None
        if actor is not None and not permissions.can_deploy(actor.roles):
            raise NotAllowed("只有流程设计员和管理员可以部署流程")
        existing = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == bundle.key,
                                                               ProcessVersion.sha256 == sha))
        if existing is not None:
            return DeployResult(existing.id, existing.process_key, existing.version, False)
        number = (session.scalar(select(func.max(ProcessVersion.version))
                                 .where(ProcessVersion.process_key == bundle.key)) or 0) + 1
        version = ProcessVersion(
            process_key=bundle.key, version=number, name=bundle.name or bundle.key, sha256=sha,
            files={name: data.decode("utf-8") for name, data in sorted(files.items())},
            start_roles=",".join(bundle.start_roles), deployed_by_id=actor.id if actor else None,
            deployed_at=svc.now(), comment=comment[:512],
        )
        session.add(version)
        session.flush()
        audit.append(session, chain="system", at=svc.now(), action="process_deployed",
                     actor_id=actor.id if actor else None, actor_name=actor.display_name if actor else "系统",
                     summary={"process_key": bundle.key, "version": number, "sha256": sha, "comment": comment[:200]})
        return DeployResult(version.id, bundle.key, number, True)
