"""干部管理权限 (issue 13 point 7): the subject's cadre level (and whether they head this body) decide whether a
clue is ours; one that goes up keeps the minimum record and only intake and the principal read it."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, jurisdiction
from service.cases.errors import NotFound
from service.demo import DEMO_PASSWORD, create_office
from service.deploy import collect_sources, deploy_directory
from service.models import AuditEvent, Case, Reporter
from tests.org.test_resolution import open_item
from tests.scenarios.clue_handling import CLUE_0001

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def office(svc, clock):
    """The demo office (17 accounts in their departments and positions) with every process deployed."""
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


SECRET = CLUE_0001["allegation_summary"]


def register(svc, ids, data: dict, department: str = "第一监督检查室") -> int:
    """Start a clue as intake (handling department given) and register it with `data`."""
    case_id = actions.start_case(svc, ids["intake"], "clue_handling", "线索", {"department": department}).case_id
    actions.complete_task(svc, ids["intake"], open_item(svc, case_id, "register_clue").task_id, dict(data))
    return case_id


def reads(app, username: str, case_id: int) -> int:
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD})
    return client.get(f"/api/v1/cases/{case_id}").status_code


def test_a_clue_about_a_higher_cadre_goes_up_with_the_minimum_record(app, svc, office):
    case_id = register(svc, office, {**CLUE_0001, "cadre_level": "县处级"})   # registered as 本级 by mistake
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        assert (case.cadre_level, case.restricted_circle) == ("县处级", jurisdiction.HIGHER_CADRE)   # for statistics
        assert session.scalar(select(Reporter).where(Reporter.case_id == case_id)) is None
        trail = " ".join(json.dumps(s, ensure_ascii=False) for s in session.scalars(
            select(AuditEvent.summary).where(AuditEvent.case_id == case_id)))
        assert SECRET not in trail and CLUE_0001["reporter_name"] not in trail
    view = actions.claim_task(svc, office["intake"], open_item(svc, case_id, "forward_clue").task_id)
    assert view.data["jurisdiction"] == "上级" and view.data["allegation_summary"] == jurisdiction.WITHHELD
    assert SECRET not in json.dumps(view.data, ensure_ascii=False)
    assert {u: reads(app, u, case_id) for u in ("intake", "leader", "supervisor", "deputy", "handler", "auditor",
                                                 "caseadmin")} == {
        "intake": 200, "leader": 200, "supervisor": 404, "deputy": 404, "handler": 404, "auditor": 404,
        "caseadmin": 404}


def test_a_clue_about_the_bodys_head_is_read_by_intake_alone(app, svc, office):
    case_id = register(svc, office, {**CLUE_0001, "subject_is_body_head": True})
    assert reads(app, "intake", case_id) == 200
    assert reads(app, "leader", case_id) == 404
    with pytest.raises(NotFound):
        actions.recuse_user(svc, office["leader"], case_id, office["intake"], "试探")


def test_a_clue_about_a_managed_cadre_stays_ours_with_its_content(app, svc, office):
    case_id = register(svc, office, {**CLUE_0001, "cadre_level": "乡科级"})
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        assert (case.cadre_level, case.restricted_circle) == ("乡科级", "")
        assert session.scalar(select(Reporter.id).where(Reporter.case_id == case_id)) is not None
    assert reads(app, "supervisor", case_id) == 200 and reads(app, "deputy", case_id) == 200


def test_which_levels_the_body_manages_is_a_process_setting(app, svc, office):
    settings = json.loads((BPMN_DIR / "settings" / "clue_handling.json").read_text())
    settings["properties"]["managed_cadre_levels"]["default"] = ["县处级", "乡科级", "一般干部", "其他"]
    files = collect_sources(BPMN_DIR, "clue_handling")
    files["settings/clue_handling.json"] = json.dumps(settings, ensure_ascii=False).encode()
    actions.deploy_process(svc, None, files, "本机关管理县处级干部")
    case_id = register(svc, office, {**CLUE_0001, "cadre_level": "县处级"})
    with svc.db.read_session() as session:
        assert session.get(Case, case_id).restricted_circle == ""
    assert reads(app, "supervisor", case_id) == 200
