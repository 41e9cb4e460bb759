"""Need to know, the narrower readers: grants end by the services' clock (never the wall clock) on every path;
auditors read the audit trail with the report's content redacted, through the API as on the page."""

from datetime import timedelta
from pathlib import Path

import pytest

from service.cases.org import delegation
from service.demo import DEMO_PASSWORD, create_office
from service.deploy import deploy_directory
from tests.org.test_resolution import SCENARIO, drive, open_item

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
FIRST = "第一监督检查室"


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")   # months before the wall clock: a wall-clock check sees grants ended
    return create_office(svc)


def api(app, username: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    assert client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD}).status_code == 200
    return client


def test_an_access_grant_is_judged_by_the_services_clock_on_every_path(app, svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, FIRST, stop_at="analyse_clue")
    task_id = open_item(svc, case_id, "analyse_clue").task_id
    delegation.grant_access(svc, office["leader"], case_id, office["handler2"], "协助核实",
                            clock.now + timedelta(days=3))
    reader = api(app, "handler2")
    for url in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/audit", f"/api/v1/tasks/{task_id}",
                f"/cases/{case_id}"):
        assert reader.get(url).status_code == 200, url
    # a write path: the grant gives reading, not the department's work, so the refusal is 403 (not 404)
    assert reader.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 403
    clock.advance(days=4)
    for url in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/audit", f"/api/v1/tasks/{task_id}"):
        assert reader.get(url).status_code == 404, url
    assert reader.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 404


def test_auditors_read_the_audit_trail_with_the_reports_content_redacted(app, svc, office, clock):
    case_id = drive(svc, office, clock, SCENARIO, FIRST, stop_at="analyse_clue")
    auditor, leader = api(app, "auditor"), api(app, "leader")
    registered = [e for e in leader.get(f"/api/v1/cases/{case_id}/audit").json["events"]
                  if "allegation_summary" in e["summary"].get("data", {})]
    assert registered and registered[0]["summary"]["data"]["allegation_summary"] != "【已隐去】"
    trail = auditor.get(f"/api/v1/cases/{case_id}/audit").json
    assert trail["chain"]["valid"]
    shown = [e for e in trail["events"] if "allegation_summary" in e["summary"].get("data", {})]
    assert shown and all(e["summary"]["data"]["allegation_summary"] == "【已隐去】" for e in shown)
    secret = registered[0]["summary"]["data"]["allegation_summary"]
    assert secret not in auditor.get(f"/api/v1/cases/{case_id}/audit").get_data(as_text=True)
    assert secret not in auditor.get(f"/cases/{case_id}").get_data(as_text=True)
