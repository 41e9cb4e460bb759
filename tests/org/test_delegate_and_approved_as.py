"""Where the only person eligible for a level is excluded by the signing rule, the level says so and waits
for a delegate named by the principal; a process setting may relax the rule, never silently; every step records
the position it was done as, and a reorganisation changes what people read, not what they approved as."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, audit
from service.cases.errors import NotAllowed, NotFound
from service.cases.org import admin as org_admin
from service.cases.org import delegation
from service.demo import DEMO_PASSWORD, create_office
from service.deploy import deploy_directory
from service.models import AuditEvent, Department, Position, WorkItem
from tests.conftest import with_settings
from tests.org.test_resolution import SCENARIO, drive, open_item
from tests.scenarios.clue_handling import APPROVE
from workflows.specs import collect_sources

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
FIRST, SECOND = "第一监督检查室", "第二监督检查室"


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


def department_id(svc, name: str) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(Department.id).where(Department.name == name))


def api(app, username: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    assert client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD}).status_code == 200
    return client


def completed_as(svc, case_id: int, bpmn_id: str) -> str:
    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.completed_as).where(WorkItem.case_id == case_id,
                                                                  WorkItem.bpmn_id == bpmn_id))


def trail_as(svc, case_id: int, bpmn_id: str) -> dict:
    with svc.db.read_session() as session:
        return session.scalar(select(AuditEvent.summary).where(
            AuditEvent.chain == audit.case_chain(case_id), AuditEvent.action == "task_completed",
            AuditEvent.task_bpmn_id == bpmn_id))


@pytest.fixture
def deputy_signed_the_head_level(svc, office, clock):
    """The head is away: the principal names the deputy acting head of 第一监督检查室, who signs the
    部门负责人 level; the 分管领导 level's only eligible person has now signed the chain."""
    case_id = drive(svc, office, clock, SCENARIO, FIRST, stop_at="approve_disposal_dept")
    delegation.appoint_acting(svc, office["leader"], office["deputy"], "head", department_id(svc, FIRST),
                              "部门负责人休假", clock.now + timedelta(days=10))
    head_level = open_item(svc, case_id, "approve_disposal_dept")
    actions.complete_task(svc, office["deputy"], head_level.task_id, dict(APPROVE))
    return case_id


def test_the_level_whose_only_eligible_person_signed_before_waits_for_a_delegate(
        app, svc, office, clock, deputy_signed_the_head_level):
    case_id = deputy_signed_the_head_level
    assert completed_as(svc, case_id, "approve_disposal_dept") == "代行部门负责人（第一监督检查室）"
    level = open_item(svc, case_id, "approve_disposal_leader")
    leader = api(app, "leader")
    body = leader.get(f"/api/v1/cases/{case_id}").json
    assert "等待主要负责人指定代理人" in body["waiting"][level.task_id]
    assert "等待主要负责人指定代理人" in leader.get(f"/api/v1/tasks/{level.task_id}").json["waiting_note"]
    page = leader.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="waiting-note"' in page and "等待主要负责人指定代理人" in page
    with pytest.raises(NotAllowed) as refused:   # never the same person twice, even as the only one
        actions.complete_task(svc, office["deputy"], level.task_id, dict(APPROVE))
    assert refused.value.code == "distinct_levels"
    # the principal names a delegate for this case, with a time limit (audited on the case's chain)
    appointment = leader.post("/api/v1/acting-appointments", json={
        "delegate_id": office["supervisor2"], "kind": "deputy", "department_id": department_id(svc, FIRST),
        "case_id": case_id, "reason": "分管领导已代行部门负责人签批本案", "valid_to":
        (clock.now + timedelta(days=3)).isoformat()})
    assert appointment.status_code in (200, 201), appointment.json
    assert leader.get(f"/api/v1/cases/{case_id}").json["waiting"] == {}
    with svc.db.read_session() as session:
        events = session.scalars(select(AuditEvent.action).where(AuditEvent.chain == audit.case_chain(case_id))).all()
    assert "acting_appointed" in events
    actions.complete_task(svc, office["supervisor2"], level.task_id, dict(APPROVE))
    assert completed_as(svc, case_id, "approve_disposal_leader") == "代行分管领导（第一监督检查室）"


def test_the_delegate_may_not_sign_once_the_appointment_ended(svc, office, clock, deputy_signed_the_head_level):
    case_id = deputy_signed_the_head_level
    level = open_item(svc, case_id, "approve_disposal_leader")
    delegation.appoint_acting(svc, office["leader"], office["supervisor2"], "deputy", department_id(svc, FIRST),
                              "代行", clock.now + timedelta(days=1), case_id=case_id)
    clock.advance(days=2)
    with pytest.raises(NotFound):
        actions.complete_task(svc, office["supervisor2"], level.task_id, dict(APPROVE))


def test_a_process_setting_relaxes_distinct_levels_and_says_so(svc, office, clock):
    actions.deploy_process(svc, office["designer"], with_settings(
        collect_sources(BPMN_DIR, "clue_handling"), "clue_handling", {"distinct_signers": False}))
    case_id = drive(svc, office, clock, SCENARIO, FIRST, stop_at="approve_disposal_dept")
    delegation.appoint_acting(svc, office["leader"], office["deputy"], "head", department_id(svc, FIRST),
                              "部门负责人休假", clock.now + timedelta(days=10))
    actions.complete_task(svc, office["deputy"], open_item(svc, case_id, "approve_disposal_dept").task_id,
                          dict(APPROVE))
    level = open_item(svc, case_id, "approve_disposal_leader")
    with svc.db.read_session() as session:
        from service.cases import queries
        from service.cases.accounts import load_user
        assert queries.case_view(svc, session, load_user(session, office["leader"]), case_id).waiting == {}
    actions.complete_task(svc, office["deputy"], level.task_id, dict(APPROVE))
    summary = trail_as(svc, case_id, "approve_disposal_leader")
    assert summary["distinct_levels_relaxed"] is True
    assert summary["as"] == completed_as(svc, case_id, "approve_disposal_leader") == \
        "分管领导（第一监督检查室）·依流程设置兼签"


def test_the_setting_never_lets_the_proposer_approve_their_own_proposal(svc, office, clock):
    actions.deploy_process(svc, office["designer"], with_settings(
        collect_sources(BPMN_DIR, "clue_handling"), "clue_handling", {"distinct_signers": False}))
    case_id = drive(svc, office, clock, SCENARIO, FIRST, stop_at="approve_disposal_dept")
    delegation.appoint_acting(svc, office["leader"], office["handler"], "head", department_id(svc, FIRST),
                              "测试", clock.now + timedelta(days=10), case_id=case_id)
    with pytest.raises(NotAllowed) as refused:
        actions.complete_task(svc, office["handler"], open_item(svc, case_id, "approve_disposal_dept").task_id,
                              dict(APPROVE))
    assert refused.value.code == "four_eyes"


def test_every_step_records_the_position_it_was_done_as(app, svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, FIRST)
    expected = {"approve_disposal_dept": "部门负责人（第一监督检查室）",
                "approve_disposal_leader": "分管领导（第一监督检查室）",
                "approve_disposal_principal": "主要负责人（纪工委书记）",
                "analyse_clue": "承办人（第一监督检查室）"}
    for bpmn_id, label in expected.items():
        assert completed_as(svc, case_id, bpmn_id) == label
        assert trail_as(svc, case_id, bpmn_id)["as"] == label
    page = api(app, "leader").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "分管领导（第一监督检查室）" in page and "办理身份" in page


def test_a_reorganisation_changes_what_one_reads_at_once_and_not_what_they_approved_as(app, svc, office, clock):
    signed = drive(svc, office, clock, SCENARIO, FIRST, stop_at="approve_disposal_leader")
    untouched = drive(svc, office, clock, SCENARIO, FIRST, stop_at="analyse_clue")
    second = drive(svc, office, clock, SCENARIO, SECOND, stop_at="analyse_clue")
    supervisor = api(app, "supervisor")
    assert supervisor.get(f"/api/v1/cases/{untouched}").status_code == 200
    assert supervisor.get(f"/api/v1/cases/{second}").status_code == 404
    with svc.db.read_session() as session:
        position = session.scalar(select(Position.id).where(Position.user_id == office["supervisor"],
                                                            Position.kind == "head"))
    org_admin.move_user(svc, office["admin"], position, department_id(svc, SECOND))
    assert supervisor.get(f"/api/v1/cases/{untouched}").status_code == 404   # at once, same session
    assert supervisor.get(f"/api/v1/cases/{second}").status_code == 200
    assert supervisor.get(f"/api/v1/cases/{signed}").status_code == 200     # they approved a level of it
    assert completed_as(svc, signed, "approve_disposal_dept") == "部门负责人（第一监督检查室）"
    assert trail_as(svc, signed, "approve_disposal_dept")["as"] == "部门负责人（第一监督检查室）"
    trail = api(app, "leader").get(f"/api/v1/cases/{signed}/audit").json
    assert trail["chain"]["valid"]
    assert any(e["summary"].get("as") == "部门负责人（第一监督检查室）" for e in trail["events"])


def test_nobody_claims_a_level_they_may_not_sign(svc, office, deputy_signed_the_head_level):
    """Found by the cold try: someone who signed the head level could claim the deputy level, could not complete
    it (distinct levels), and kept it from everyone else. The claim is refused by the same rule."""
    case_id = deputy_signed_the_head_level
    level = open_item(svc, case_id, "approve_disposal_leader")
    with pytest.raises(NotAllowed) as refused:
        actions.claim_task(svc, office["deputy"], level.task_id)
    assert refused.value.code == "distinct_levels"
    assert open_item(svc, case_id, "approve_disposal_leader").assignee_id is None
