"""The demo office of issue 13 and the handling department chosen at registration."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.cases import actions
from service.cases.errors import InvalidInput
from service.cases.org.queries import users_with_positions
from service.demo import load_demo
from service.deploy import deploy_directory
from service.models import Case, Department

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
EXPECTED = {
    "intake": {("intake", None)}, "caseadmin": {("case_management", None)},
    "handler": {("member", "第一监督检查室")}, "supervisor": {("head", "第一监督检查室")},
    "handler2": {("member", "第二监督检查室")}, "supervisor2": {("head", "第二监督检查室")},
    "deputy": {("deputy", "信访室"), ("deputy", "案件监督管理室"), ("deputy", "第一监督检查室")},
    "deputy2": {("deputy", "第二监督检查室"), ("deputy", "审查调查室"), ("deputy", "案件审理室")},
    "leader": {("principal", None)}, "committee": {("committee_recorder", None)},
    "investigator": {("member", "审查调查室")}, "investigator2": {("member", "审查调查室")},
    "reviewer": {("review", None)}, "reviewer2": {("review", None)},
    "designer": {("designer", None)}, "auditor": {("auditor", None)}, "admin": {("admin", None)},
}


def test_demo_office_has_the_accounts_and_positions_of_the_issue(svc):
    deploy_directory(svc, BPMN_DIR)
    assert load_demo(svc)
    with svc.db.read_session() as session:
        held = {row["user"].username: {(p["kind"], p["department"]) for p in row["positions"]}
                for row in users_with_positions(session, svc.now())}
        assert held == EXPECTED
        per_department = dict(session.execute(
            select(Department.name, func.count(Case.id)).join(Case, Case.department_id == Department.id)
            .group_by(Department.name)).all())
        assert per_department.get("第一监督检查室", 0) >= 3 and per_department.get("第二监督检查室", 0) >= 3


def test_registration_sets_the_handling_department_by_name_or_id(svc, users):
    deploy_directory(svc, BPMN_DIR)
    with svc.db.read_session() as session:
        first = session.scalar(select(Department.id).where(Department.name == "第一监督检查室"))
    by_name = actions.start_case(svc, users["intake"], "clue_handling", "甲", {"department": "第一监督检查室"}).case_id
    by_id = actions.start_case(svc, users["intake"], "clue_handling", "乙", {"department": first}).case_id
    with svc.db.read_session() as session:
        assert session.get(Case, by_name).department_id == first
        assert session.get(Case, by_id).department_id == first
    with pytest.raises(InvalidInput) as refused:
        actions.start_case(svc, users["intake"], "clue_handling", "丙", {"department": "不存在的室"})
    assert "department" in refused.value.errors


def test_a_case_started_by_a_handler_belongs_to_their_department(svc, users):
    deploy_directory(svc, BPMN_DIR)
    case_id = actions.start_case(svc, users["handler"], "fault_tolerance", "容错申请", {}).case_id
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        assert session.get(Department, case.department_id).name == "第一监督检查室"
