"""Distinct people per level, in every process: at every approval level, the proposer and everyone who signed
another level of the chain are refused even when they hold the level's position (an acting appointment for the
case); the level reaches the organisation's person for the case's department, not the other department's; and
every completion records the position it was done as ("approved as")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from service.cases import actions, queries
from service.cases.accounts import load_user
from service.cases.errors import NotAllowed, NotFound
from service.cases.org import delegation
from service.cases.org.positions import TASK_POSITION_HOLDERS, records_outside_decision, task_position
from service.demo import BODY, TEAM, create_office
from service.deploy import deploy_directory
from service.models import Department, WorkItem
from tests.conftest import with_settings
from tests.scenarios import Do, Wait, all_scenarios
from tests.service.test_process_paths import fire_all_due
from workflows.lint import properties
from workflows.specs import collect_sources

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SCENARIOS = all_scenarios()
FIRST, SECOND = "第一监督检查室", "第二监督检查室"
# The holder of the same position in the other supervision department (who must not get the level).
OTHER = {"dept_head": "supervisor2", "deputy": "deputy2", "dept_member": "handler2"}
START = {"handler": "dept_member", "intake": "intake"}


def approval_tasks(process_key: str) -> set[str]:
    tree = etree.parse(str(BPMN_DIR / f"{process_key}.bpmn"))
    return {el.get("id") for el in tree.iter("{*}userTask") if properties(el).get("approves")}


def _cover() -> list[tuple[str, tuple[str, ...]]]:
    """Scenarios that together reach every approval task of every process, each with the levels it checks."""
    chosen = []
    for key in sorted({s.process_key for s in SCENARIOS.values()}):
        left = approval_tasks(key)
        for name in sorted(n for n, s in SCENARIOS.items() if s.process_key == key):
            mine = {st.task for st in SCENARIOS[name].steps if isinstance(st, Do)} & left
            if mine:
                chosen.append((name, tuple(sorted(mine))))
                left -= mine
        assert not left or key, left
    return chosen


COVER = _cover()


def people(position: str) -> list[str]:
    return TEAM[FIRST].get(position) or BODY[position]


def open_item(svc, case_id: int, bpmn_id: str) -> WorkItem:
    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id,
                                                     WorkItem.completed_at.is_(None)))


def chain(svc, case_id: int, approves: str) -> tuple[int, list[int]]:
    """(proposer, signers of other levels since the proposal)."""
    with svc.db.read_session() as session:
        rows = session.execute(select(WorkItem.id, WorkItem.bpmn_id, WorkItem.completed_by_id).where(
            WorkItem.case_id == case_id, WorkItem.resolution == "completed",
            (WorkItem.bpmn_id == approves) | (WorkItem.approves == approves)).order_by(WorkItem.id)).all()
    proposal = [r for r in rows if r.bpmn_id == approves][-1]
    return proposal.completed_by_id, [r.completed_by_id for r in rows if r.id > proposal.id]


def worklist(svc, user_id: int) -> set[str]:
    with svc.db.read_session() as session:
        return {i.task_id for i, _c in queries.list_tasks(session, load_user(session, user_id), now=svc.now())}


def department_id(svc, name: str) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(Department.id).where(Department.name == name))


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


def start(svc, office, clock, scenario) -> int:
    if scenario.settings:
        actions.deploy_process(svc, office["designer"], with_settings(
            collect_sources(BPMN_DIR, scenario.process_key), scenario.process_key, scenario.settings))
    clock.set(scenario.clock)
    starter = office[people(START[scenario.start_role])[0]]
    return actions.start_case(svc, starter, scenario.process_key, "审批链", {**scenario.case_data,
                                                                            "department": FIRST}).case_id


def check_level(svc, office, clock, case_id: int, item: WorkItem, data: dict) -> None:
    """Everyone the rule excludes is refused at this level, even holding its position for the case; the other
    department's holder neither sees nor may complete it."""
    position = task_position(item.role, item.lane)
    proposer, signed = chain(svc, case_id, item.approves)
    kinds, in_department = TASK_POSITION_HOLDERS[position]
    dept = department_id(svc, FIRST) if in_department else None
    outside = records_outside_decision(item.lane)
    for person in {proposer, *([] if outside else signed)}:
        if person is None:
            continue
        appointment = delegation.appoint_acting(svc, office["leader"], person, kinds[0], dept, "测试：代行本级",
                                                clock.now + timedelta(days=30), case_id=case_id)
        with pytest.raises(NotAllowed) as refused:
            actions.complete_task(svc, person, item.task_id, dict(data))
        assert refused.value.code == ("four_eyes" if person == proposer else "distinct_levels"), \
            (item.bpmn_id, person)
        delegation.revoke_acting(svc, office["leader"], appointment)
    if position in OTHER:
        right, wrong = office[people(position)[0]], office[OTHER[position]]
        assert item.task_id in worklist(svc, right) or right in {proposer, *signed}
        assert item.task_id not in worklist(svc, wrong)
        with pytest.raises(NotFound):   # need to know: outside the circle the case does not exist
            actions.complete_task(svc, wrong, item.task_id, dict(data))
        grant = delegation.grant_access(svc, office["leader"], case_id, wrong, "测试：可阅本案",
                                        clock.now + timedelta(days=30))
        with pytest.raises(NotAllowed) as refused:   # reading the case gives no right to sign for its department
            actions.complete_task(svc, wrong, item.task_id, dict(data))
        assert refused.value.code == "wrong_position"
        delegation.revoke_access(svc, office["leader"], grant)


@pytest.mark.parametrize(("name", "levels"), COVER, ids=[name for name, _ in COVER])
def test_no_one_signs_two_levels_and_no_proposer_approves_their_own_proposal(svc, office, clock, name, levels):
    scenario = SCENARIOS[name]
    case_id = start(svc, office, clock, scenario)
    for step in scenario.steps:
        if isinstance(step, Wait):
            clock.set(step.until)
            fire_all_due(svc)
        if not isinstance(step, Do):
            continue
        item = open_item(svc, case_id, step.task)
        if item.bpmn_id in levels:
            check_level(svc, office, clock, case_id, item, step.data)
        position = task_position(item.role, item.lane)
        proposer, signed = chain(svc, case_id, item.approves) if item.approves else (None, [])
        excluded = {proposer} | (set() if records_outside_decision(item.lane) else set(signed))
        actor = next(office[u] for u in people(position) if office[u] not in excluded)
        actions.complete_task(svc, actor, item.task_id, dict(step.data))
    with svc.db.read_session() as session:
        done = session.execute(select(WorkItem.role, WorkItem.lane, WorkItem.completed_as).where(
            WorkItem.case_id == case_id, WorkItem.resolution == "completed")).all()
    assert done and all(r.completed_as for r in done), done


def test_every_approval_level_of_every_process_is_checked():
    checked = {(SCENARIOS[name].process_key, level) for name, levels in COVER for level in levels}
    every = {(key, task) for key in {s.process_key for s in SCENARIOS.values()} for task in approval_tasks(key)}
    assert every - checked == set()
