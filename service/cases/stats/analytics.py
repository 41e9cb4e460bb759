"""Process analytics: for one process (and version), each step's passages and time, and each sequence flow's
share of cases, from the work-item projection laid onto the diagram's paths (workflows/graph.py).

A passage from step A to step B is a work item of B whose latest earlier completion in the case was A's (START
when none was); a completed case's last completed steps lead to END. A flow is taken by a case when one of its
passages can go through it (a passage with two possible routes counts on both)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from service.cases import queries
from service.cases.errors import NotFound
from service.cases.stats.filters import Facets
from service.cases.stats.report import Count, Scope, count_cells, days_between, duration_stats, share
from service.models import Case, ProcessVersion, User, WorkItem
from workflows.graph import END, START, step_paths

BOTTLENECKS = 5


def _version(session: Session, process_key: str, version: int | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.process_key == process_key)
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    found = session.scalar(query.order_by(ProcessVersion.version.desc()).limit(1))
    if found is None:
        raise NotFound(f"没有流程“{process_key}”" + (f"的第 {version} 版" if version is not None else ""))
    return found


def _elements(session: Session, scope: Scope) -> dict[str, dict]:
    done, waiting = WorkItem.resolution == "completed", WorkItem.completed_at.is_(None)
    rows = session.execute(
        select(WorkItem.bpmn_id, func.max(WorkItem.title), func.count(case((done, 1))),
               func.count(distinct(case((done, WorkItem.case_id)))), func.count(case((waiting, 1))))
        .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).where(scope.where())
        .group_by(WorkItem.bpmn_id))
    spent = days_between(scope.dialect, WorkItem.created_at, WorkItem.completed_at)
    times = duration_stats(session, select(WorkItem.bpmn_id.label("bpmn"), spent.label("d"))
        .select_from(WorkItem).join(Case, Case.id == WorkItem.case_id).where(scope.where(), done), ["bpmn"])
    out = {}
    for bpmn, title, passages, cases, open_now in rows:
        url = scope.url({}, {"task": bpmn, "task_state": "done"})
        timing = times.get((bpmn,), {})
        out[bpmn] = {"id": bpmn, "name": title, "passages": passages, "cases": Count(cases, url), "open": open_now,
                     "avg_days": timing.get("avg"), "median_days": timing.get("p50"), "p90_days": timing.get("p90")}
    return out


def _passages(scope: Scope):
    """(case_id, pair 'A>B') for every passage between steps, START and END included."""
    item, earlier, last = aliased(WorkItem), aliased(WorkItem), aliased(WorkItem)
    latest_before = (select(func.max(last.completed_at))
                     .where(last.case_id == item.case_id, last.completed_at <= item.created_at).scalar_subquery())
    source = func.coalesce(earlier.bpmn_id, literal(START))
    into = (select(item.case_id.label("case_id"), (source + literal(">") + item.bpmn_id).label("pair"))
            .select_from(item).join(Case, Case.id == item.case_id)
            .outerjoin(earlier, and_(earlier.case_id == item.case_id, earlier.completed_at == latest_before))
            .where(scope.where()))
    final, latest = aliased(WorkItem), aliased(WorkItem)
    last_done = select(func.max(latest.completed_at)).where(latest.case_id == Case.id).scalar_subquery()
    out = (select(final.case_id.label("case_id"), (final.bpmn_id + literal(">" + END)).label("pair"))
           .select_from(final).join(Case, Case.id == final.case_id)
           .where(scope.where(status="completed"), final.completed_at == last_done))
    return union_all(into, out).subquery()


def _flows(session: Session, scope: Scope, graph, total: int) -> list[dict]:
    passages = _passages(scope)
    by_flow = {f: sorted(f"{a}>{b}" for (a, b), flows in graph.paths.items() if f in flows) for f in graph.flows}
    flows = [f for f in graph.flows if by_flow[f]]
    counts = {}
    if flows:
        values = session.execute(select(*[func.count(distinct(case((passages.c.pair.in_(by_flow[f]),
                                                                     passages.c.case_id)))) for f in flows])).one()
        counts = dict(zip(flows, values, strict=True))
    def label(element: str) -> str:
        return graph.names.get(element) or element

    return [{"id": f, "name": graph.names.get(f, ""), "source": graph.flows[f][0], "target": graph.flows[f][1],
             "source_name": label(graph.flows[f][0]), "target_name": label(graph.flows[f][1]),
             "cases": int(counts.get(f, 0)), "share": share(int(counts.get(f, 0)), total)} for f in graph.flows]


def process_analytics(session: Session, user: User, process_key: str, facets: Facets, now: datetime,
                      version: int | None = None) -> dict:
    """Steps and flows of a process over the readable cases under the facets (need to know)."""
    queries.require_reader(user)
    chosen = _version(session, process_key, version)
    facets = replace(facets, process_key=process_key, version_id=chosen.id if version is not None else None)
    scope = Scope(queries.readable(session, user, now, register=True), facets, now, session.get_bind().dialect.name)
    total = count_cells(session, scope, {}, {"all": {}})["all"]
    bpmn = chosen.files.get(f"{process_key}.bpmn", "")
    graph = step_paths(bpmn.encode("utf-8"))
    elements = _elements(session, scope)
    flows = _flows(session, scope, graph, total.value) if graph else []
    ranked = sorted((e for e in elements.values() if e["p90_days"] is not None),
                    key=lambda e: (-e["p90_days"], -e["passages"]))
    return {"process_key": process_key, "name": chosen.name, "version": chosen.version,
            "all_versions": version is None, "generated_at": now, "cases": total,
            "filters": {"date_from": facets.date_from, "date_to": facets.date_to, "department": facets.department,
                        "cadre_level": facets.cadre_level, "process_key": process_key},
            "bpmn_xml": bpmn, "elements": sorted(elements.values(), key=lambda e: e["id"]), "flows": flows,
            "bottlenecks": [e["id"] for e in ranked[:BOTTLENECKS]]}
