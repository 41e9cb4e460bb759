"""Who does a step is resolved against the case: its handling department, the deputy overseeing it, the
principal; and nobody signs two levels of one approval chain."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, queries
from service.cases.accounts import load_user
from service.cases.errors import NotAllowed, NotFound
from service.cases.org import delegation
from service.cases.org.positions import task_position
from service.demo import TEAM, create_office
from service.deploy import deploy_directory
from service.models import WorkItem
from tests.scenarios import Do, Wait, all_scenarios
from tests.scenarios.clue_handling import APPROVE
from tests.service.test_process_paths import chain_signers, fire_all_due

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BODY = {"principal": ["leader"], "committee": ["committee"], "intake": ["intake"]}


def open_item(svc, case_id: int, bpmn_id: str) -> WorkItem:
    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id,
                                                     WorkItem.completed_at.is_(None)))


def worklist(svc, user_id: int) -> set[str]:
    with svc.db.read_session() as session:
        user = load_user(session, user_id)
        return {item.bpmn_id for item, _case in queries.list_tasks(session, user, now=svc.now())}


def drive(svc, ids, clock, scenario, department: str, stop_at: str | None = None) -> int:
    """Run a scenario on a case of `department`, each step by someone the organisation names for it."""
    case_id = actions.start_case(svc, ids["intake"], scenario.process_key, "线索", {**scenario.case_data,
                                                                                   "department": department}).case_id
    for step in scenario.steps:
        if isinstance(step, Wait):
            clock.set(step.until)
            fire_all_due(svc)
        if not isinstance(step, Do):
            continue
        if step.task == stop_at:
            return case_id
        item = open_item(svc, case_id, step.task)
        position = task_position(item.role, item.lane)
        signed = chain_signers(svc, case_id, item.approves)
        people = TEAM[department].get(position) or BODY[position]
        actions.complete_task(svc, next(ids[u] for u in people if ids[u] not in signed), item.task_id, dict(step.data))
    return case_id


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


SCENARIO = all_scenarios()["clue_handling:closed_no_action"]


def test_the_deputy_level_of_a_first_department_case_reaches_deputy_not_deputy2(svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="approve_disposal_leader")
    item = open_item(svc, case_id, "approve_disposal_leader")
    assert "approve_disposal_leader" in worklist(svc, office["deputy"])
    assert "approve_disposal_leader" not in worklist(svc, office["deputy2"])
    assert "approve_disposal_leader" not in worklist(svc, office["leader"])  # the principal signs the next level
    with pytest.raises(NotFound):   # need to know: deputy2 does not oversee the department, the case is hidden
        actions.complete_task(svc, office["deputy2"], item.task_id, dict(APPROVE))
    with pytest.raises(NotAllowed) as refused:   # the principal reads the case but signs the next level
        actions.claim_task(svc, office["leader"], item.task_id)
    assert refused.value.code == "wrong_position"


def test_the_second_departments_staff_do_its_cases_and_not_the_firsts(svc, office, clock):
    first = drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="analyse_clue")
    second = drive(svc, office, clock, SCENARIO, "第二监督检查室", stop_at="analyse_clue")
    first_item, second_item = open_item(svc, first, "analyse_clue"), open_item(svc, second, "analyse_clue")
    with svc.db.read_session() as session:
        mine = {i.task_id for i, _c in queries.list_tasks(session, load_user(session, office["handler2"]),
                                                           now=svc.now())}
    assert second_item.task_id in mine and first_item.task_id not in mine
    with pytest.raises(NotFound):   # need to know: another department's case does not exist for them
        actions.claim_task(svc, office["handler2"], first_item.task_id)
    actions.claim_task(svc, office["handler2"], second_item.task_id)


def test_a_whole_clue_chain_is_signed_by_three_different_people(svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, "第一监督检查室")
    with svc.db.read_session() as session:
        signed = dict(session.execute(select(WorkItem.bpmn_id, WorkItem.completed_by_id).where(
            WorkItem.case_id == case_id, WorkItem.approves == "propose_disposal",
            WorkItem.resolution == "completed")).all())
    assert signed["approve_disposal_dept"] == office["supervisor"]
    assert signed["approve_disposal_leader"] == office["deputy"]
    assert signed["approve_disposal_principal"] == office["leader"]


def test_nobody_signs_two_levels_even_when_acting_in_the_other_position(svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="approve_disposal_dept")
    delegation.appoint_acting(svc, office["leader"], office["supervisor"], "deputy",
                              _department_id(svc, "第一监督检查室"), "分管领导出差", clock.now + timedelta(days=5))
    dept = open_item(svc, case_id, "approve_disposal_dept")
    actions.complete_task(svc, office["supervisor"], dept.task_id, dict(APPROVE))
    deputy_level = open_item(svc, case_id, "approve_disposal_leader")
    assert "approve_disposal_leader" in worklist(svc, office["supervisor"])  # the acting appointment counts
    with pytest.raises(NotAllowed) as refused:
        actions.complete_task(svc, office["supervisor"], deputy_level.task_id, dict(APPROVE))
    assert refused.value.code == "distinct_levels"
    actions.complete_task(svc, office["deputy"], deputy_level.task_id, dict(APPROVE))


def test_an_acting_appointment_ends_with_its_time_limit(svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="approve_disposal_leader")
    delegation.appoint_acting(svc, office["leader"], office["deputy2"], "deputy", _department_id(svc, "第一监督检查室"),
                              "分管领导出差", clock.now + timedelta(days=1))
    assert "approve_disposal_leader" in worklist(svc, office["deputy2"])
    clock.advance(days=2)
    assert "approve_disposal_leader" not in worklist(svc, office["deputy2"])
    item = open_item(svc, case_id, "approve_disposal_leader")
    with pytest.raises(NotFound):   # with the appointment, the need to know ended too
        actions.complete_task(svc, office["deputy2"], item.task_id, dict(APPROVE))


def _department_id(svc, name: str) -> int:
    from service.models import Department

    with svc.db.read_session() as session:
        return session.scalar(select(Department.id).where(Department.name == name))
