"""Read-only queries for views: lists, details, trails. They never commit and never touch the engine for lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, defer

from service.cases import audit, permissions, statements
from service.cases.archive import note_archived_read
from service.cases.errors import NotAllowed, NotFound
from service.cases.org import signers
from service.cases.org.access import filled_tasks, readable_cases
from service.cases.org.holdings import load_holdings
from service.cases.permissions import CaseContext
from service.cases.results import CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.stats.filters import Facets, facet_conditions
from service.cases.tx import case_context, is_recused
from service.models import AuditEvent, Case, Department, ProcessVersion, Recusal, User, WorkItem
from workflows.loops import bundle_loops

MAX_PER_PAGE = 200
AUDIT_FIELDS = ("id", "seq", "at", "actor_id", "actor_name", "action", "task_bpmn_id", "task_title", "case_id",
                "chain", "request_id")
SORTS = {
    # NULLS LAST rather than a leading `due_at IS NULL` key: PostgreSQL can then read the rows in the order of
    # ix_cases_status_due and stop sorting after the page instead of sorting every matching row.
    "due": (Case.due_at.asc().nulls_last(), Case.id.desc()),
    "-due": (Case.due_at.desc().nulls_last(), Case.id.desc()),
    "created": (Case.created_at.asc(), Case.id.asc()),
    "-created": (Case.created_at.desc(), Case.id.desc()),
    "reference": (Case.reference.asc(),),
    "-reference": (Case.reference.desc(),),
}


# What case lists show (the web list page and CaseSummaryOut of the API): plain rows (attribute access), never
# the workflow state.
LIST_COLUMNS = (Case.id, Case.reference, Case.title, Case.process_key, Case.status, Case.outcome, Case.stage,
                Case.subject_name, Case.handler_id, Case.due_at, Case.created_at, Case.closed_at, Case.version)


@dataclass(frozen=True)
class CaseFilter(Facets):
    """The case list's filters: the statistics facets (so a figure's drill-down is a case list) and the list's own."""

    q: str | None = None
    mine: bool = False
    overdue: bool = False
    sort: str = "-created"
    page: int = 1
    per_page: int = 50


def _recused_case_ids(user_id: int):
    return select(Recusal.case_id).where(Recusal.user_id == user_id)


def readable(session: Session, user: User, now: datetime, register: bool = False, holdings=None):
    """Need to know as a condition on `Case` for this user (org.access.readable_cases), recusal included.
    `now`: the services' clock (grants and acting appointments end by it), never the wall clock."""
    return and_(Case.id.not_in(_recused_case_ids(user.id)),
                readable_cases(user.id, holdings or load_holdings(session, user.id, now), now, register=register))


def require_readable(session: Session, user: User, case_id: int, now: datetime, register: bool = False) -> None:
    """NotFound unless the user may read the case: to anyone outside the circle it does not exist."""
    rule = readable_cases(user.id, load_holdings(session, user.id, now), now, register=register)
    if session.scalar(select(Case.id).where(Case.id == case_id, rule)) is None:
        raise NotFound(f"案件 {case_id} 不存在")


def require_reader(user: User) -> None:
    if not permissions.may_read_cases(user):
        raise NotAllowed("您的角色不能查看案件")


def list_cases(session: Session, user: User, f: CaseFilter, now: datetime) -> dict:
    """A filtered, sorted page of cases the user may see."""
    require_reader(user)
    conditions = [readable(session, user, now, register=True), *facet_conditions(f, now)]
    if f.q:
        # The words are searched as typed: % and _ are not wildcards.
        words = f.q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{words}%"
        conditions.append(or_(*(column.like(like, escape="\\") for column in
                                (Case.reference, Case.title, Case.subject_name, Case.clue_no))))
    if f.mine:
        mine_tasks = select(WorkItem.case_id).where(WorkItem.assignee_id == user.id, WorkItem.completed_at.is_(None))
        conditions.append(or_(Case.handler_id == user.id, Case.id.in_(mine_tasks)))
    if f.overdue:
        conditions.append(and_(Case.status == "open", Case.due_at < now))
    where = and_(*conditions)
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    page = max(1, f.page)
    # One query gives the page and the total (a window count); only a page past the end needs a second one.
    rows = session.execute(
        select(*LIST_COLUMNS, func.count().over().label("total"))
        .where(where).order_by(*SORTS.get(f.sort, SORTS["-created"]))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:
        total = session.scalar(select(func.count()).select_from(Case).where(where))
    return {"items": rows, "total": total, "page": page, "per_page": per_page}


def get_case(session: Session, user: User, case_id: int, now: datetime) -> Case:
    """The case, if it exists and the user may read it: recused users are refused (403 recused), anyone
    outside the need-to-know circle gets NotFound."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    if is_recused(session, case.id, user.id):
        raise NotAllowed("您已回避本案", code="recused")
    require_readable(session, user, case.id, now)   # outside the circle the case does not exist (404)
    require_reader(user)
    return case


def case_view(svc: Services, session: Session, user: User, case_id: int) -> CaseView:
    """The case as GET /cases/{id} shows it: the same typed value every action returns."""
    note_archived_read(svc, get_case(session, user, case_id, svc.now()), user)
    return load_case_view(svc, session, case_id)


def case_links(session: Session, case_id: int) -> list[dict]:
    return statements.case_links(session.connection(), case_id)


def case_diagram(svc: Services, session: Session, user: User, case_id: int) -> dict:
    case = get_case(session, user, case_id, svc.now())
    version = session.get(ProcessVersion, case.process_version_id)
    bundle = svc.bundle(version)
    wf = svc.engine.restore(bundle, case.state)
    completed, active = svc.engine.element_states(wf)
    bpmn_name = f"{version.process_key}.bpmn"
    history = step_history(session, case.id)
    return {"bpmn_xml": version.files.get(bpmn_name, ""), "completed": completed, "active": active,
            "history": history}


def audit_trail(session: Session, user: User, case_id: int, now: datetime) -> dict:
    """The case's audit events as the reader may see them (submitted content redacted as the case data is, e.g.
    for auditors) and the result of recomputing the hash chain (over the stored events)."""
    case = get_case(session, user, case_id, now)
    if not permissions.may_read_audit(user, case_context(session, case, user.id)):
        raise NotAllowed("您的角色不能查看审计记录")
    chain = audit.case_chain(case.id)
    events = session.scalars(select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()
    report = audit.verify(session, chain)
    # plain copies (the stored events stay as they are: append-only, and hashed as stored)
    shown = [SimpleNamespace(**{c: getattr(e, c) for c in AUDIT_FIELDS},
                             summary=permissions.redact_audit_summary(user, e.summary)) for e in events]
    return {"case": case, "events": shown, "chain": report}


def _task_conditions(session: Session, user: User, scope: str, process_key: str | None,
                     due_before: datetime | None, now: datetime) -> list:
    """Conditions on open work items joined with their case: the tasks whose position the user fills on
    the case (resolved against its handling department), unclaimed or claimed by the user."""
    # Need to know holds by construction here: a task the user claimed (scope claimed) or whose position they fill
    # on its case (scope mine) puts its case in their circle (org.access.readable_cases says both), so the whole
    # rule is not evaluated again; recusal, which wins over everything, is.
    holdings = load_holdings(session, user.id, now)
    conditions = [WorkItem.completed_at.is_(None), Case.id.not_in(_recused_case_ids(user.id))]
    if scope == "claimed":
        conditions.append(WorkItem.assignee_id == user.id)
    else:
        conditions.append(and_(filled_tasks(holdings),
                               or_(WorkItem.assignee_id.is_(None), WorkItem.assignee_id == user.id)))
    if process_key:
        conditions.append(WorkItem.case_id.in_(select(Case.id).where(Case.process_key == process_key)))
    if due_before is not None:
        conditions.append(WorkItem.due_at < due_before)
    return conditions


def list_tasks(session: Session, user: User, scope: str = "mine", process_key: str | None = None,
               due_before: datetime | None = None, limit: int | None = None,
               offset: int = 0, *, now: datetime) -> list[tuple[WorkItem, Case]]:
    """Open tasks the user may act on (scope=mine: claimed by them or unclaimed in their roles), most urgent first."""
    query = (select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
             .where(*_task_conditions(session, user, scope, process_key, due_before, now))
             .order_by(WorkItem.due_at.asc().nulls_last(), WorkItem.id).options(defer(Case.state)))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return session.execute(query).all()


def count_tasks(session: Session, user: User, scope: str = "mine", process_key: str | None = None,
                due_before: datetime | None = None, due_after: datetime | None = None,
                due_by: datetime | None = None, *, now: datetime, approvals_only: bool = False) -> int:
    """How many open tasks list_tasks would return; optionally only due at/after `due_after` and at/before `due_by`,
    or only approval steps (a decision on someone else's step)."""
    conditions = _task_conditions(session, user, scope, process_key, due_before, now)
    if approvals_only:
        conditions.append(WorkItem.approves.is_not(None))
    if due_after is not None:
        conditions.append(WorkItem.due_at >= due_after)
    if due_by is not None:
        conditions.append(WorkItem.due_at <= due_by)
    return session.scalar(select(func.count(WorkItem.id)).join(Case, Case.id == WorkItem.case_id).where(*conditions))


def get_task(session: Session, user: User, task_id: str, now: datetime) -> tuple[WorkItem, Case]:
    item = session.scalar(select(WorkItem).where(WorkItem.task_id == task_id))
    if item is None:
        raise NotFound(f"任务 {task_id} 不存在")
    case = get_case(session, user, item.case_id, now)
    return item, case


def waiting_note(svc: Services, session: Session, item: WorkItem, case: Case) -> str | None:
    """What an open approval level says when nobody may sign it (it waits for the principal's delegate)."""
    if item.completed_at is not None or not item.approves:
        return None
    version = session.get(ProcessVersion, case.process_version_id)
    return signers.waiting_note(session, item, case.department_id, svc.bundle(version).settings, svc.now())


def task_form(svc: Services, session: Session, item: WorkItem, case: Case) -> dict | None:
    if not item.form:
        return None
    version = session.get(ProcessVersion, case.process_version_id)
    return svc.bundle(version).forms.get(item.form)


def startable_processes(session: Session, user: User) -> list[ProcessVersion]:
    """The latest version of each process whose start roles include one of the user's roles."""
    latest = select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v")).group_by(
        ProcessVersion.process_key).subquery()
    versions = session.scalars(
        select(ProcessVersion)
        .join(latest, and_(ProcessVersion.process_key == latest.c.process_key, ProcessVersion.version == latest.c.v))
        .order_by(ProcessVersion.process_key)
    ).all()
    return [v for v in versions if permissions.may_start(user, v.start_role_list)]


def may_start_any(session: Session, user: User) -> bool:
    """Whether the user may start at least one process (the menu's 发起案件): one small read, start roles only."""
    latest = select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v")).group_by(
        ProcessVersion.process_key).subquery()
    start_roles = session.scalars(
        select(ProcessVersion.start_roles)
        .join(latest, and_(ProcessVersion.process_key == latest.c.process_key, ProcessVersion.version == latest.c.v))
    ).all()
    return any(permissions.may_start(user, roles.split(",")) for roles in start_roles)


def process_versions(session: Session) -> list[tuple[ProcessVersion, int]]:
    """Every version with its count of open cases."""
    open_counts = select(Case.process_version_id, func.count(Case.id).label("n")).where(Case.status == "open") \
        .group_by(Case.process_version_id).subquery()
    return session.execute(
        select(ProcessVersion, func.coalesce(open_counts.c.n, 0))
        .outerjoin(open_counts, open_counts.c.process_version_id == ProcessVersion.id)
        .order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
    ).all()


# ---- additions for the HTML pages (service/web) ----

def process_names(session: Session) -> dict[str, str]:
    """{process key: name of its latest version}, for labels and filters."""
    latest = select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v")).group_by(
        ProcessVersion.process_key).subquery()
    rows = session.execute(
        select(ProcessVersion.process_key, ProcessVersion.name).join(latest, and_(
            ProcessVersion.process_key == latest.c.process_key, ProcessVersion.version == latest.c.v))
        .order_by(ProcessVersion.process_key)
    ).all()
    return {key: name for key, name in rows}


def user_names(session: Session, user_ids) -> dict[int, str]:
    """{user id: display name} for the given ids."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def may_see_reporter(session: Session, user: User, case: Case) -> bool:
    """Whether the user is on the reporter's need-to-know list (the same predicate read_reporter applies)."""
    return permissions.may_see_reporter(user, case_context(session, case, user.id, approvals=True))


def step_history(session: Session, case_id: int) -> list[dict]:
    """Completed human steps of a case in order: bpmn id, title, who, as what (the position then held), when,
    the decision taken and the opinion."""
    rows = session.execute(
        select(WorkItem.bpmn_id, WorkItem.title, WorkItem.completed_at, WorkItem.decision, WorkItem.opinion,
               WorkItem.completed_as, User.display_name)
        .outerjoin(User, User.id == WorkItem.completed_by_id)
        .where(WorkItem.case_id == case_id, WorkItem.resolution == "completed")
        .order_by(WorkItem.completed_at, WorkItem.id)
    ).all()
    return [{"bpmn_id": r.bpmn_id, "title": r.title, "completed_at": r.completed_at, "by": r.display_name,
             "decision": r.decision, "opinion": r.opinion, "as_": r.completed_as, "as": r.completed_as} for r in rows]


def returned_by(session: Session, item: WorkItem) -> dict | None:
    """For a step reopened because an approval returned it (退回): who returned it, when, at which step, their
    decision and opinion; None for any other step."""
    if item.returned_by_item_id is None:
        return None
    row = session.execute(
        select(WorkItem.title, WorkItem.completed_at, WorkItem.decision, WorkItem.opinion, User.display_name)
        .outerjoin(User, User.id == WorkItem.completed_by_id).where(WorkItem.id == item.returned_by_item_id)
    ).first()
    if row is None:
        return None
    return {"step": row.title, "at": row.completed_at, "by": row.display_name or "", "decision": row.decision,
            "opinion": row.opinion or ""}


def loop_reason(svc: Services, session: Session, case_id: int, bpmn_id: str) -> str:
    """Why the process sends `bpmn_id` straight back to itself, as its loop's flow names say ('' when it does not)."""
    case = session.get(Case, case_id)
    version = session.get(ProcessVersion, case.process_version_id) if case is not None else None
    return bundle_loops(svc.bundle(version)).get(bpmn_id, "") if version is not None else ""


def form_labels(svc: Services, version: ProcessVersion) -> dict[str, dict]:
    """{data key: its property schema} over every form of a version, so pages can label case data."""
    labels: dict[str, dict] = {}
    for schema in svc.bundle(version).forms.values():
        for key, prop in (schema or {}).get("properties", {}).items():
            labels.setdefault(key, prop)
    return labels


def case_page(svc: Services, session: Session, user: User, case_id: int) -> dict:
    """Everything the case page shows: the case (a `CaseView`, data redacted), step history, audit trail,
    who may do what, reporter access, labels and the names shown."""
    view = case_view(svc, session, user, case_id).for_reader(user)
    case = session.get(Case, case_id)   # in the session since case_view read it
    version = session.get(ProcessVersion, case.process_version_id)
    trail = None
    context = CaseContext(case_id=case.id, handler_id=case.handler_id)  # get_case refused the recused
    if permissions.may_read_audit(user, context):
        trail = audit_trail(session, user, case_id, svc.now())
    return {"case": view, "version": version, "history": step_history(session, case.id), "trail": trail,
            "may_control_deadline": {t.task_id: permissions.may_control_deadline(user, t.role, context)
                                     for t in view.tasks},
            "may_approve_extensions": permissions.may_approve_extensions(user, context),
            "may_see_reporter": may_see_reporter(session, user, case),
            "labels": form_labels(svc, version),
            "department": session.get(Department, case.department_id) if case.department_id else None,
            "names": user_names(session, [t.assignee_id for t in view.tasks] + [case.handler_id]),
            "waiting": view.waiting}


def task_page(svc: Services, session: Session, user: User, task_id: str) -> dict:
    """A task with its form, the case (a `CaseView`, data redacted), and (for approvals) the step being approved."""
    item, case = get_task(session, user, task_id, svc.now())
    view = case_view(svc, session, user, case.id).for_reader(user)
    version = session.get(ProcessVersion, case.process_version_id)
    approved = None
    if item.approves:
        step = session.execute(
            select(WorkItem, User.display_name).outerjoin(User, User.id == WorkItem.completed_by_id)
            .where(WorkItem.case_id == case.id, WorkItem.bpmn_id == item.approves,
                   WorkItem.resolution == "completed")
            .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(1)
        ).first()
        if step is not None:
            form = svc.bundle(version).forms.get(step[0].form) if step[0].form else None
            approved = {"title": step[0].title, "by": step[1], "at": step[0].completed_at, "form": form}
    return {"item": item, "case": view, "version": version,
            "form": task_form(svc, session, item, case), "approved": approved,
            "returned": returned_by(session, item),
            "labels": form_labels(svc, version),
            "waiting": waiting_note(svc, session, item, case),
            "assignee": user_names(session, [item.assignee_id]).get(item.assignee_id)}
