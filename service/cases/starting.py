"""Starting cases: by a user, or as a linked case a process asks for (`start_case_<name>`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.errors import InvalidInput, NotAllowed
from service.cases.org.handling import handling_department_id
from service.cases.projections import sync_case_row, sync_timers, sync_work_items
from service.cases.reporters import split_reporter, store_reporter
from service.cases.runtime import Services
from service.cases.tx import engine_call, latest_version, load_actor
from service.models import Case, CaseLink, ProcessVersion, ReferenceCounter, User

if TYPE_CHECKING:
    from service.cases.task_actions import CaseSnapshot


def start_case(svc: Services, actor_id: int, process_key: str, title: str, data: dict) -> int:
    """Start a case of the latest version of `process_key`; returns the case id."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        version = latest_version(session, process_key)
        if not permissions.may_start(actor, version.start_role_list):
            raise NotAllowed(f"您的角色不能发起“{version.name}”")
        case = create_case(svc, session, actor, version, title, data)
        return case.id


def _next_reference(session: Session, now) -> str:
    """The next 案件编号 of the year, e.g. GX-2026-0001 (a counter row per year)."""
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


def create_case(svc: Services, session: Session, actor: User, version: ProcessVersion, title: str, data: dict,
                 linked_from: Case | CaseSnapshot | None = None) -> Case:
    """Insert a case, run it to its first wait state, and append its `case_started` event."""
    now = svc.now()
    bundle = svc.bundle(version)
    clean, reporter_fields = split_reporter(data)
    if linked_from is not None:
        clean["linked_from"] = linked_from.reference
    department_id = handling_department_id(session, clean, actor.id, getattr(linked_from, "department_id", None),
                                           now)
    clean.setdefault("title", title)
    clean.setdefault("settings", {})  # processes read their time limits with get(settings, name, default)
    wf = engine_call(svc.engine.start, bundle, clean)
    case = Case(
        reference=_next_reference(session, now), title=title[:256], process_key=version.process_key,
        process_version_id=version.id, created_by_id=actor.id, department_id=department_id, created_at=now,
        state={}, version=0,
    )
    session.add(case)
    session.flush()
    store_reporter(session, case.id, reporter_fields, now)
    open_items = sync_work_items(session, svc.engine, case, wf, now, actor.id, None)
    sync_timers(session, svc.engine, case, wf, now)
    sync_case_row(svc.engine, case, wf, open_items, now)
    linked = start_requested_cases(svc, session, actor, case, wf)
    summary = {"process_key": version.process_key, "process_version": version.version, "title": title,
               "data": audit.summarize(clean), "reporter_recorded": bool(reporter_fields),
               "department_id": department_id}
    if linked_from is not None:
        summary["linked_from"] = linked_from.reference
    if linked:
        summary["linked_cases"] = linked
    audit.append(session, chain=audit.case_chain(case.id), at=now, action="case_started", actor_id=actor.id,
                 actor_name=actor.display_name, case_id=case.id, summary=summary)
    return case


def start_requested_cases(svc: Services, session: Session, actor: User, case: Case | CaseSnapshot, wf,
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
        version = latest_version(session, str(request["process_key"]))
        title = str(request.get("title") or f"{case.title}（关联）")
        child = create_case(svc, session, actor, version, title, dict(request.get("data") or {}), linked_from=case)
        session.add(CaseLink(from_case_id=case.id, to_case_id=child.id, request_name=name, created_at=svc.now()))
        started.append(child.reference)
    return started
