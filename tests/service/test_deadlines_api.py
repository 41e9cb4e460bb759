"""The deadline endpoints of /api/v1: overdue view, counts, flags, suspend/resume, extensions, overrides."""

from __future__ import annotations

import pytest

from tests.service.test_deadlines import demo_case, open_item
from tests.support.approval import approval_files


@pytest.fixture
def case(svc, users, deploy):
    deploy(approval_files())
    case_id, task_id = demo_case(svc, users)
    return {"id": case_id, "task_id": task_id}


def test_the_openapi_document_lists_the_deadline_endpoints(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path in ["/api/v1/tasks/overdue", "/api/v1/tasks/counts", "/api/v1/tasks/flagged",
                 "/api/v1/tasks/{task_id}/suspend", "/api/v1/tasks/{task_id}/resume",
                 "/api/v1/tasks/{task_id}/extensions", "/api/v1/extensions/{extension_id}/approve",
                 "/api/v1/extensions/{extension_id}/reject", "/api/v1/cases/{case_id}/deadlines",
                 "/api/v1/approvals", "/api/v1/suspensions/{suspension_id}/approve",
                 "/api/v1/suspensions/{suspension_id}/reject",
                 "/api/v1/calendar/overrides", "/api/v1/calendar/overrides/{day}"]:
        assert path in paths, path


def test_counts_and_flags_show_due_soon_then_overdue(api, case, clock):
    assert api("handler").get("/tasks/counts").json == {"overdue": 0, "due_soon": 0, "due_soon_workdays": 3,
                                                      "approvals": 0, "approval_steps": 0}
    clock.set("2026-03-05T09:00:00+08:00")
    assert api("handler").get("/tasks/counts").json["due_soon"] == 1
    assert [t["flag"] for t in api("handler").get("/tasks/flagged").json] == ["due_soon"]
    clock.set("2026-03-10T09:00:00+08:00")
    assert api("handler").get("/tasks/counts").json == {"overdue": 1, "due_soon": 0, "due_soon_workdays": 3,
                                                      "approvals": 0, "approval_steps": 0}
    assert [t["flag"] for t in api("handler").get("/tasks/flagged").json] == ["overdue"]


def test_the_overdue_view_is_for_supervisors_and_shows_the_escalation(api, case, clock, svc):
    from service.timer_worker import run_once

    clock.set("2026-03-10T09:00:00+08:00")
    assert api("handler").get("/tasks/overdue").status_code == 403
    [row] = api("supervisor").get("/tasks/overdue").json
    assert (row["kind"], row["task"]["bpmn_id"], row["case"]["id"]) == ("overdue", "propose", case["id"])
    assert run_once(svc) == 1
    [row] = api("supervisor").get("/tasks/overdue").json
    assert (row["kind"], [t["bpmn_id"] for t in row["escalated_to"]]) == ("escalated", ["escalate"])


def test_suspend_and_resume_through_the_api_move_the_due_date(api, case, clock, svc):
    task = case["task_id"]
    assert api("handler").post(f"/tasks/{task}/suspend", {}).status_code == 422
    body = api("handler").post(f"/tasks/{task}/suspend", {"reason": "等待证据"}).json
    assert body["tasks"][0]["suspended"] is False and body["tasks"][0]["due_at"] is not None   # asked, not stopped
    [request] = body["suspensions"]
    assert (request["status"], request["reason"]) == ("pending", "等待证据")
    assert api("supervisor").get("/tasks/counts").json["approvals"] == 1
    [waiting] = api("supervisor").get("/approvals").json
    assert (waiting["kind"], waiting["request_id"], waiting["reason"], waiting["task"]["bpmn_id"],
            waiting["case"]["id"], waiting["requested_by"]) == \
        ("suspension", request["id"], "等待证据", "propose", case["id"], "郝承办")
    assert api("handler").get("/approvals").json == []
    assert api("handler").post(f"/suspensions/{request['id']}/approve", {}).status_code == 403
    assert api("supervisor").post(f"/suspensions/{request['id']}/reject", {}).status_code == 422   # says why
    approved = api("supervisor").post(f"/suspensions/{request['id']}/approve", {"note": "同意"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert api("supervisor").get("/tasks/counts").json["approvals"] == 0
    body = api("handler").get(f"/cases/{case['id']}/deadlines").json
    assert body["tasks"][0]["suspended"] is True and body["tasks"][0]["due_at"] is None
    assert api("handler").post(f"/tasks/{task}/suspend", {"reason": "再次"}).status_code == 409
    clock.set("2026-03-06T09:00:00+08:00")
    body = api("handler").post(f"/tasks/{task}/resume", {"reason": "证据到位"}).json
    assert body["tasks"][0]["due_at"].startswith("2026-03-13T15:59:59")
    assert body["timers"][0]["due_at"].startswith("2026-03-13T15:59:59")
    actions = [e["action"] for e in api("supervisor").get(f"/cases/{case['id']}/audit").json["events"]]
    assert actions[-3:] == ["deadline_suspension_requested", "deadline_suspended", "deadline_resumed"]


def test_an_extension_through_the_api_needs_a_supervisor_other_than_the_requester(api, case, svc):
    task = case["task_id"]
    created = api("handler").post(f"/tasks/{task}/extensions", {"workdays": 5, "reason": "补充调查"})
    assert created.status_code == 201 and created.json["status"] == "pending"
    ext = created.json["id"]
    assert api("handler2").post(f"/extensions/{ext}/approve", {}).status_code == 403
    assert open_item(svc, case["id"], "propose").due_at.isoformat().startswith("2026-03-09")
    approved = api("supervisor").post(f"/extensions/{ext}/approve", {"note": "同意"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert approved.json["due_after"].startswith("2026-03-16T15:59:59")
    again = api("supervisor").post(f"/tasks/{task}/extensions", {"workdays": 1, "reason": "再延"}).json["id"]
    assert api("supervisor").post(f"/extensions/{again}/approve", {}).json["code"] == "four_eyes"
    assert api("leader").post(f"/extensions/{again}/reject", {"note": "不同意"}).json["status"] == "rejected"


def test_case_deadlines_warn_about_a_year_without_holiday_data(api, svc, users, deploy):
    deploy(approval_files())
    case_id, _ = demo_case(svc, users, settings={"propose_days": 250})
    body = api("handler").get(f"/cases/{case_id}/deadlines").json
    assert body["warnings"] and "2027" in body["warnings"][0]
    assert api("handler").get(f"/cases/{case_id}").json["deadline_warnings"] == body["warnings"]


def test_admins_edit_the_override_table_through_the_api(api, case):
    assert api("handler").post("/calendar/overrides", {"day": "2026-03-04", "is_workday": False}).status_code == 403
    created = api("admin").post("/calendar/overrides", {"day": "2026-03-04", "is_workday": False, "reason": "闭馆"})
    assert created.status_code == 201 and created.json["day"] == "2026-03-04"
    assert [o["day"] for o in api("handler").get("/calendar/overrides?year=2026").json] == ["2026-03-04"]
    assert api("admin").client.delete("/api/v1/calendar/overrides/2026-03-04").status_code == 204
    assert api("admin").get("/calendar/overrides").json == []
