"""Cadres as records (issue 15 §1): cases link to one record per person, the deciding process records its
measures once, and the integrity opinion reads them — with the injected clock deciding what is in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, queries
from service.cases.accounts import load_user
from service.cases.errors import InvalidInput
from service.deploy import deploy_directory
from service.models import Cadre, CadreMeasure, Case, WorkItem
from tests.scenarios import Do, Scenario
from tests.scenarios import four_forms_disposition as ff
from tests.scenarios import integrity_opinion as io
from tests.service.test_process_paths import run_scenario

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def opinion(name: str, unit: str, received: str, reply: str) -> Scenario:
    """An integrity opinion about one candidate, received on `received`, the handler asked nothing."""
    return Scenario(io.KEY, "intake", {"title": f"党风廉政意见回复：{name}", "subject_name": name,
                                       "subject_unit": unit}, (
        Do("register_request", "intake", {
            "request_no": "组干函〔2026〕30号", "requesting_dept": "组织部门", "received_date": received,
            "subject_name": name, "subject_unit": unit, "subject_post": "科长", "proposed_post": "副局长",
            "request_stamped": True, "appointment_form_attached": True}),
        io.check(),
        io.draft("经核查，提出回复意见如下。"),
        *io.APPROVALS,
        io.issue(received),
    ), outcome=reply, clock=f"{received}T09:00:00+08:00")


def data_of(svc, users, case_id: int) -> dict:
    with svc.db.read_session() as session:
        return queries.case_view(svc, session, load_user(session, users["leader"]), case_id).data


@pytest.fixture()
def warned(svc, users, clock):
    """郝测试 (虚拟招商局) given 党内警告 + 调离岗位, effective 2026-03-02, by the real disposition process."""
    deploy_directory(svc, BPMN_DIR)
    return run_scenario(svc, users, clock, "warning", ff.SCENARIOS["form2_warning_collective_follow_up"])


def test_the_deciding_process_records_its_measures_once_on_the_cadre(svc, warned):
    with svc.db.read_session() as session:
        case = session.get(Case, warned)
        cadre = session.get(Cadre, case.cadre_id)
        rows = session.scalars(select(CadreMeasure).where(CadreMeasure.cadre_id == cadre.id)
                               .order_by(CadreMeasure.measure)).all()
    assert (cadre.name, cadre.unit, cadre.cadre_level, cadre.is_party_member) == (
        "郝测试", "虚拟招商局", "乡科级", True)
    assert [(r.measure, r.category, r.form) for r in rows] == [
        ("党内警告", "party_sanction", 2), ("调整（调离）职务或岗位", "org_handling", 2)]
    warning = rows[0]
    assert (warning.effective_date, warning.impact_months, warning.expires_on) == (date(2026, 3, 2), 12,
                                                                                   date(2027, 3, 2))
    assert (warning.status, warning.cadre_level, warning.process_key) == ("effective", "乡科级", ff.KEY)


def test_an_integrity_opinion_answers_not_suitable_while_the_warning_is_in_force(svc, users, clock, warned):
    """Acceptance: no question about the sanction is asked; the record and the clock decide."""
    case_id = run_scenario(svc, users, clock, "in force", opinion("郝测试", "虚拟招商局", "2026-06-01", "不宜提拔任用"))
    data = data_of(svc, users, case_id)
    assert data["reply_type"] == "不宜提拔任用"
    assert "党内警告（2026-03-02生效，影响期至2027-03-01）" in data["reply_basis"]
    record = data["cadre_records"][0]
    assert record["found"] and record["sanctions_in_force"] and not record["sanctions_expired"]
    with svc.db.read_session() as session:   # the same person: one record for both cases
        cadres = {c for c in session.scalars(select(Case.cadre_id).where(Case.id.in_([case_id, warned])))}
    assert len(cadres) == 1


def test_after_the_impact_period_the_reply_says_the_sanction_expired(svc, users, clock, warned):
    case_id = run_scenario(svc, users, clock, "expired",
                           opinion("郝测试", "虚拟招商局", "2027-03-02", "暂未发现影响提拔任用的问题"))
    data = data_of(svc, users, case_id)
    assert "党内警告（2026-03-02生效，影响期已于2027-03-01届满）" in data["reply_basis"]
    assert "未发现相关问题线索和处分记录" not in data["reply_basis"]


def test_a_candidate_without_a_record_has_no_problem_found(svc, users, clock, warned):
    case_id = run_scenario(svc, users, clock, "none",
                           opinion("冯哑元", "虚拟招商局", "2026-06-01", "暂未发现影响提拔任用的问题"))
    data = data_of(svc, users, case_id)
    assert data["reply_basis"] == "未发现相关问题线索和处分记录"


def test_nobody_can_type_the_records_or_the_measures_in(svc, users, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    case = actions.start_case(svc, users["intake"], io.KEY, "意见回复", {"subject_name": "郝测试"})
    with pytest.raises(InvalidInput):
        actions.start_case(svc, users["intake"], io.KEY, "意见回复", {"cadre_records": []})
    with svc.db.read_session() as session:
        task = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case.case_id))
    for forged in ({"cadre_records": []}, {"cadre_measures": {"measures": ["诫勉"]}}):
        with pytest.raises(InvalidInput):
            actions.complete_task(svc, users["intake"], task, {**io.register("郝测试").data, **forged})
