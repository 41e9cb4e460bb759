"""Starting cases: by a user, or as a linked case the deployed BPMN declares (`start_case_<name>`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.cases import audit, cadres, permissions
from service.cases.audit import CaseEvent
from service.cases.case_data import check_link_data, check_start_data, without_read_only
from service.cases.errors import InvalidInput, NotAllowed
from service.cases.org.handling import handling_department_id
from service.cases.projections import project_case
from service.cases.reporters import split_reporter, store_reporter
from service.cases.results import CaseSnapshot, CaseView, load_case_view
from service.cases.runtime import Services
from service.cases.tx import engine_call, latest_version, load_actor
from service.models import Case, CaseLink, ProcessVersion, ReferenceCounter, User
from workflows.reserved import LINK_PREFIX, LINKED_FROM, SETTINGS
from workflows.specs import ProcessBundle
from workflows.steps import StepResult, step_result

# A linked case may itself start linked cases in its first engine run; beyond this depth the process
# design is wrong (a chain or circle of immediate links), and the whole transaction is refused.
MAX_LINK_DEPTH = 3


@dataclass(frozen=True)
class LinkOrigin:
    """Where a linked case comes from: the parent case and the element that declares the link."""

    parent: Case | CaseSnapshot
    parent_process: str
    name: str
    element_id: str
    depth: int


def start_case(svc: Services, actor_id: int, process_key: str, title: str, data: dict) -> CaseView:
    """Start a case of the latest version of `process_key`; returns the case as started."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        version = latest_version(session, process_key)
        if not permissions.may_start(actor, version.start_role_list):
            raise NotAllowed(f"您的角色不能发起“{version.name}”")
        check_start_data(svc.bundle(version), data, svc.today())
        case, step, event = create_case(svc, session, actor, version, title, data)
        return load_case_view(svc, session, case.id, step.data, event=event)


def _next_reference(session: Session, now) -> str:
    """The next 案件编号 of the year, e.g. GX-2026-0001 (a counter row per year)."""
    return next_in_sequence(session, f"GX-{now.year}")


def next_in_sequence(session: Session, prefix: str) -> str:
    """`<prefix>-NNNN`, the next number of a gap-free counter: the counter row moves in the caller's transaction,
    so a rolled-back start gives its number back."""
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
            return next_in_sequence(session, prefix)
    return f"{prefix}-{bumped:04d}"


def assign_numbers(session: Session, bundle: ProcessBundle, data: dict, year: int) -> None:
    """Fill the start form's system-numbered fields (`"x-sequence": "<prefix>"`, e.g. the 线索编号 XS-2026-0001)
    from a per-year gap-free sequence; whatever the data said is replaced."""
    schema = bundle.forms.get(bundle.start_form) if bundle.start_form else None
    for name, prop in (schema or {}).get("properties", {}).items():
        prefix = prop.get("x-sequence") if isinstance(prop, dict) else None
        if isinstance(prefix, str) and prefix:
            data[name] = next_in_sequence(session, f"{prefix}-{year}")


def create_case(svc: Services, session: Session, actor: User, version: ProcessVersion, title: str, data: dict,
                link: LinkOrigin | None = None) -> tuple[Case, StepResult, CaseEvent]:
    """Insert a case (its data already checked), run it to its first wait state, append `case_started`.

    `settings` is seeded from the process version (its settings document), never from the data.
    """
    now = svc.now()
    bundle = svc.bundle(version)
    clean, reporter_fields = split_reporter(data)
    clean = without_read_only(bundle.forms.get(bundle.start_form) if bundle.start_form else None, clean)
    assign_numbers(session, bundle, clean, svc.today().year)
    clean[SETTINGS] = copy.deepcopy(bundle.settings)
    if link is not None:
        clean[LINKED_FROM] = link.parent.reference
    parent_department = getattr(link.parent, "department_id", None) if link is not None else None
    department_id = handling_department_id(session, clean, actor.id, parent_department, now)
    clean.setdefault("title", title)
    wf = engine_call(svc.engine.start, bundle, clean)
    case = Case(
        reference=_next_reference(session, now), title=title[:256], process_key=version.process_key,
        process_version_id=version.id, created_by_id=actor.id, department_id=department_id, created_at=now,
        state={}, version=0,
    )
    session.add(case)
    session.flush()
    store_reporter(session, case.id, reporter_fields, now)
    step = step_result(svc.engine, wf)
    project_case(session, case, step, now, actor.id)
    cadre_id = cadres.link_case(session, case.id, step.data, now) if step.data.get("subject_name") else None
    if step.completed and step.data.get("cadre_measures"):
        cadres.record_measures(session, case.id, version.process_key, cadre_id, step.data, now)
    linked = start_requested_cases(svc, session, actor, case, bundle, step, depth=link.depth if link else 0)
    summary = {"process_key": version.process_key, "process_version": version.version, "title": title,
               "data": audit.summarize({k: v for k, v in clean.items() if k != SETTINGS}),
               "settings_of_version": version.version, "reporter_recorded": bool(reporter_fields),
               "department_id": department_id}
    if link is not None:
        summary["linked_from"] = link.parent.reference
        summary["link"] = {"name": f"{LINK_PREFIX}{link.name}", "element": link.element_id,
                           "process_key": link.parent_process}
    add_link_summary(summary, linked)
    event = audit.append(session, chain=audit.case_chain(case.id), at=now, action="case_started", actor_id=actor.id,
                         actor_name=actor.display_name, case_id=case.id, summary=summary)
    return case, step, event


def add_link_summary(summary: dict, linked: list[dict]) -> None:
    """Record the linked cases a step started in its audit event (references, and which declaration)."""
    if linked:
        summary["linked_cases"] = [item["reference"] for item in linked]
        summary["links"] = linked


def start_requested_cases(svc: Services, session: Session, actor: User, case: Case | CaseSnapshot,
                          bundle: ProcessBundle, step: StepResult, depth: int = 0) -> list[dict]:
    """Start each linked case the process set (`start_case_<name>`) and its BPMN declares, once per
    declaration, and link it both ways; anything else is refused (422) and the transaction rolled back."""
    requests = step.case_requests
    if not requests:
        return []
    done = set(session.scalars(select(CaseLink.request_name).where(CaseLink.from_case_id == case.id)))
    started = []
    for name, request in sorted(requests.items()):
        if name in done:
            continue
        decl = bundle.links.get(name)
        if decl is None:
            raise InvalidInput(f"流程请求发起未在 BPMN 中声明的关联案件 {LINK_PREFIX}{name}", code="undeclared_link")
        where = f"{decl.element_id}（{LINK_PREFIX}{name}）"
        if set(request) - {"process_key", "title", "data"} or request.get("process_key") != decl.process_key:
            raise InvalidInput(f"{where}: 只能发起声明的流程 {decl.process_key}", code="undeclared_link")
        if depth >= MAX_LINK_DEPTH:
            raise InvalidInput(f"{where}: 关联案件嵌套超过 {MAX_LINK_DEPTH} 层", code="link_depth")
        version = latest_version(session, decl.process_key)
        link_data = request.get("data") or {}
        check_link_data(svc.bundle(version), link_data, where)
        title = str(request.get("title") or f"{case.title}（关联）")[:256]
        origin = LinkOrigin(case, bundle.key, name, decl.element_id, depth + 1)
        child, _step, _event = create_case(svc, session, actor, version, title, dict(link_data), link=origin)
        session.add(CaseLink(from_case_id=case.id, to_case_id=child.id, request_name=name, created_at=svc.now()))
        started.append({"reference": child.reference, "process_key": decl.process_key,
                        "name": f"{LINK_PREFIX}{name}", "element": decl.element_id})
    return started
