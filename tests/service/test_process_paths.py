"""Service-level runner for every process scenario (tests/scenarios/*.py).

Each step goes through the case service exactly as a request would: the case is loaded from the
database and its workflow restored, the actor's role is checked, the form validated, the state
saved with its projections and one audit event. Before every `Do`, a user of another role must be
refused. `Wait` moves the injected clock and fires due timers through the service. At the end the
outcome, the linked cases and every audit chain are checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, audit, queries
from service.cases.accounts import load_user
from service.cases.errors import InvalidInput, NotAllowed, NotFound
from service.cases.org.positions import records_outside_decision, task_position
from service.deploy import deploy_directory
from service.models import CadreMeasure, Case, CaseLink, Timer, WorkItem
from tests.conftest import with_settings
from tests.scenarios import Do, Expect, Refused, Wait, all_scenarios
from tests.support.cadre_history import seed
from workflows.specs import collect_sources

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SCENARIOS = all_scenarios()
USERS_BY_ROLE = {
    "intake": ["intake"], "handler": ["handler", "handler2"], "supervisor": ["supervisor", "supervisor2"],
    "leader": ["leader"], "committee": ["committee"],
}
# Who fills each position a task names on a case of the fixture's department (第一监督检查室).
USERS_BY_POSITION = {
    "intake": ["intake"], "dept_member": ["handler", "handler2"], "dept_head": ["supervisor", "supervisor2"],
    "deputy": ["deputy"], "principal": ["leader"], "committee": ["committee"],
}


def open_items(svc, case_id: int) -> list[WorkItem]:
    with svc.db.read_session() as session:
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id,
                                                           WorkItem.completed_at.is_(None))))


def completer_of(svc, case_id: int, bpmn_id: str | None) -> int | None:
    if not bpmn_id:
        return None
    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.completed_by_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id, WorkItem.resolution == "completed")
            .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(1))


def chain_signers(svc, case_id: int, approves: str | None) -> set[int]:
    """The proposer and everyone who signed a level of the approval chain since the last proposal."""
    if not approves:
        return set()
    with svc.db.read_session() as session:
        items = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.resolution == "completed",
                                                       (WorkItem.bpmn_id == approves) | (WorkItem.approves == approves))
                                .order_by(WorkItem.id)).all()
    since = max((i.id for i in items if i.bpmn_id == approves), default=0)
    return {i.completed_by_id for i in items if i.id >= since}


def assert_completion_shows_what_a_read_shows(svc, actor: int, done: actions.CaseView, where: str) -> None:
    """The API answers a completion from what the transaction wrote; it must equal a fresh read of the case."""
    with svc.db.read_session() as session:
        read = queries.case_view(svc, session, load_user(session, actor), done.case_id)
        assert done.case == read.case, where
        assert done.process_version == read.process_version, where
        assert done.data == read.data, where
        assert done.links == read.links, where
        assert done.deadline_warnings == read.deadline_warnings, where
        shown = ("task_id", "case_id", "bpmn_id", "title", "role", "lane", "approves", "assignee_id", "due_at",
                 "created_at", "instructions")
        assert [{f: getattr(t, f) for f in shown} for t in done.tasks] == \
            [{f: getattr(t, f) for f in shown} for t in read.tasks], where


def fire_all_due(svc) -> None:
    with svc.db.read_session() as session:
        due = sorted(set(session.scalars(select(Timer.case_id).where(Timer.due_at <= svc.now()))))
    for case_id in due:
        actions.fire_due_timers(svc, case_id)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_runs_through_the_case_service(name, svc, users, clock):
    deploy_directory(svc, BPMN_DIR)
    run_scenario(svc, users, clock, name, SCENARIOS[name])


def run_scenario(svc, users, clock, name: str, scenario) -> int:
    """Drive `scenario` through the case service (the processes deployed); returns the case id."""
    if scenario.settings:   # the designer deploys a version with these settings
        actions.deploy_process(svc, users["designer"], with_settings(
            collect_sources(BPMN_DIR, scenario.process_key), scenario.process_key, scenario.settings))
    clock.set(scenario.clock)
    seed(svc, scenario.history, users["designer"])  # earlier cases on the cadre records
    title = str(scenario.title or name)
    starter = users[USERS_BY_ROLE[scenario.start_role][0]]
    start_data = {"department": "第一监督检查室", **scenario.case_data}  # registration names the handling department
    case_id = actions.start_case(svc, starter, scenario.process_key, title, start_data).case_id
    for number, step in enumerate(scenario.steps, 1):
        where = f"{name} step {number} {step!r}"
        if isinstance(step, Wait):
            clock.set(step.until)
            fire_all_due(svc)
        elif isinstance(step, Expect):
            assert sorted(i.bpmn_id for i in open_items(svc, case_id)) == sorted(step.ready), where
        elif isinstance(step, Do):
            items = [i for i in open_items(svc, case_id) if i.bpmn_id == step.task]
            assert len(items) == 1, f"{where}: open {[i.bpmn_id for i in open_items(svc, case_id)]}"
            item = items[0]
            assert item.role == step.role, where
            outsider = "auditor" if step.role != "auditor" else "handler"
            with pytest.raises((NotAllowed, NotFound)):   # NotFound: a clue that went up is not the auditor's
                actions.complete_task(svc, users[outsider], item.task_id, dict(step.data))
            signed = set() if records_outside_decision(item.lane) else chain_signers(svc, case_id, item.approves)
            position = task_position(item.role, item.lane)
            actor = next((users[u] for u in USERS_BY_POSITION[position] if users[u] not in signed), None)
            assert actor is not None, f"{where}: nobody fills {position} who has not signed this chain ({signed})"
            done = actions.complete_task(svc, actor, item.task_id, dict(step.data))
            assert_completion_shows_what_a_read_shows(svc, actor, done, where)
        elif isinstance(step, Refused):
            items = [i for i in open_items(svc, case_id) if i.bpmn_id == step.task]
            assert len(items) == 1, f"{where}: open {[i.bpmn_id for i in open_items(svc, case_id)]}"
            actor = next(users[u] for u in USERS_BY_ROLE[step.role])
            with pytest.raises(InvalidInput) as refused:
                actions.complete_task(svc, actor, items[0].task_id, dict(step.data))
            assert sorted(refused.value.errors) == sorted(step.fields), where
            assert [i.task_id for i in open_items(svc, case_id) if i.bpmn_id == step.task] == [items[0].task_id], where
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        if scenario.outcome is not None:
            assert case.status == "completed" and case.outcome == scenario.outcome, name
        linked = session.scalars(select(Case.process_key).join(CaseLink, CaseLink.to_case_id == Case.id)
                                 .where(CaseLink.from_case_id == case_id)).all()
        assert sorted(linked) == sorted(scenario.links), name
        for chain in audit.all_chains(session):
            assert audit.verify(session, chain).valid, chain
        recorded = session.scalars(select(CadreMeasure.measure).where(CadreMeasure.case_id == case_id)).all()
        assert sorted(recorded) == sorted(scenario.measures), f"{name}: measures recorded on the cadre"
        if scenario.measures:
            assert case.cadre_id is not None and set(session.scalars(select(CadreMeasure.cadre_id).where(
                CadreMeasure.case_id == case_id))) == {case.cadre_id}, name
    return case_id
