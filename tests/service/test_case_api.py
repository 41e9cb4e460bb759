"""The case API end to end on the approval demo process: start, worklist, form, complete, checks."""

from __future__ import annotations

from sqlalchemy import select

from service.models import AuditEvent, Reporter
from tests.support.approval import (
    REGISTER_DATA,
    REPORTER_NAME,
    approval_files,
    only_task,
    propose,
    register,
    start_demo_case,
)


def test_openapi_document_lists_every_endpoint(app):
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path in ["/api/v1/session", "/api/v1/me", "/api/v1/processes", "/api/v1/cases", "/api/v1/cases/{case_id}",
                 "/api/v1/cases/{case_id}/audit", "/api/v1/cases/{case_id}/diagram", "/api/v1/cases/{case_id}/reporter",
                 "/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/claim",
                 "/api/v1/tasks/{task_id}/release", "/api/v1/tasks/{task_id}/complete", "/api/v1/process-definitions",
                 "/api/v1/healthz"]:
        assert path in paths, path


def test_login_with_wrong_password_is_401_and_repeated_failures_are_429(app, users):
    client = app.test_client()
    for _ in range(5):
        assert client.post("/api/v1/session", json={"username": "handler", "password": "nope"}).status_code == 401
    response = client.post("/api/v1/session", json={"username": "handler", "password": "qingfeng-demo"})
    assert response.status_code == 429
    assert response.json["code"] == "too_many_attempts"


def test_bearer_token_authenticates_api_calls(app, users):
    client = app.test_client()
    token = client.post("/api/v1/session", json={"username": "auditor", "password": "qingfeng-demo",
                                                 "issue_token": True}).json["token"]
    fresh = app.test_client()
    me = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["roles"] == ["auditor"]
    assert fresh.get("/api/v1/me", headers={"Authorization": "Bearer qf_wrong"}).status_code == 401


def test_session_cookie_is_httponly_and_samesite(app, users):
    response = app.test_client().post("/api/v1/session", json={"username": "handler", "password": "qingfeng-demo"})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_handler_lists_opens_reads_form_and_completes_a_task(api, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    assert case["reference"].startswith("GX-2026-")
    register(api, case)
    task = only_task(api("handler"), "propose")
    detail = api("handler").get(f"/tasks/{task['id']}").json
    assert detail["role"] == "handler" and detail["form"]["properties"]["disposal"]["enum"]
    assert detail["due_at"].startswith("2026-03-09")  # 5 working days after Monday 2026-03-02
    done = api("handler").post(f"/tasks/{task['id']}/complete", {"data": {"disposal": "予以了结"}})
    assert done.status_code == 200
    assert [t["bpmn_id"] for t in done.json["tasks"]] == ["approve"]
    assert done.json["version"] > detail["case_version"]


def test_start_case_is_refused_for_a_role_not_in_start_roles(api, deploy):
    deploy(approval_files())
    response = api("auditor").post("/cases", {"process_key": "approval_demo", "title": "x", "data": {}})
    assert response.status_code == 403
    assert set(response.json) == {"code", "status", "message", "errors"}


def test_completing_with_the_wrong_role_is_403(api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    task = only_task(api("intake"), "register")
    # the department head reads the case but does not fill the intake position
    response = api("supervisor").post(f"/tasks/{task['id']}/complete", {"data": REGISTER_DATA})
    assert response.status_code == 403 and response.json["code"] == "wrong_position"
    # a handler not (yet) on the case is outside its circle: it does not exist for them
    assert api("handler").post(f"/tasks/{task['id']}/complete", {"data": REGISTER_DATA}).status_code == 404


def test_invalid_form_data_is_422_naming_each_field(api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    task = only_task(api("intake"), "register")
    response = api("intake").post(f"/tasks/{task['id']}/complete", {"data": {
        "amount": -5, "received_date": "2026-13-45", "is_real_name": "yes", "unknown_field": 1}})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {"subject_name", "amount", "received_date", "is_real_name", "unknown_field"}
    assert errors["subject_name"] == ["此项为必填项"]


def test_return_requires_an_opinion(api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    register(api, None)
    propose(api)
    task = only_task(api("supervisor"), "approve")
    response = api("supervisor").post(f"/tasks/{task['id']}/complete", {"data": {"decision": "return"}})
    assert response.status_code == 422 and "opinion" in response.json["errors"]


def test_unknown_ids_are_404(api, deploy):
    deploy(approval_files())
    assert api("handler").get("/cases/999999").status_code == 404
    assert api("handler").get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    response = api("handler").post("/tasks/00000000-0000-0000-0000-000000000000/complete", {"data": {}})
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_completing_an_already_completed_task_is_409(api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    task = only_task(api("intake"), "register")
    assert api("intake").post(f"/tasks/{task['id']}/complete", {"data": REGISTER_DATA}).status_code == 200
    again = api("intake").post(f"/tasks/{task['id']}/complete", {"data": REGISTER_DATA})
    assert again.status_code == 409 and again.json["code"] == "task_not_ready"


def test_stale_case_version_is_409(api, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    task = only_task(api("intake"), "register")
    response = api("intake").post(f"/tasks/{task['id']}/complete",
                                  {"data": REGISTER_DATA, "case_version": case["version"] - 1})
    assert response.status_code == 409 and response.json["code"] == "stale_case_version"


def test_approver_may_not_approve_their_own_proposal(api, deploy, app, users, svc):
    from service.cases import accounts
    deploy(approval_files())
    accounts.create_user(svc, "dual", "兼职人员", "qingfeng-demo", ["handler", "supervisor"], "第一监督检查室")
    from tests.conftest import ApiClient
    dual = ApiClient(app, "dual")
    start_demo_case(api)
    register(api, None)
    propose(lambda _name: dual)
    task = only_task(dual, "approve")
    response = dual.post(f"/tasks/{task['id']}/complete", {"data": {"decision": "approve"}})
    assert response.status_code == 403 and response.json["code"] == "four_eyes"
    other = api("supervisor").post(f"/tasks/{task['id']}/complete", {"data": {"decision": "approve"}})
    assert other.status_code == 200 and other.json["status"] == "completed" and other.json["outcome"] == "予以了结"


def test_recused_user_gets_403_and_does_not_see_the_case(api, deploy, users):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    response = api("deputy").post(f"/cases/{case['id']}/recusals",
                                      {"user_id": users["handler"], "reason": "与被反映人系近亲属"})
    assert response.status_code == 204
    assert api("handler").get(f"/cases/{case['id']}").status_code == 403
    assert api("handler").get("/cases").json["total"] == 0
    assert api("handler").get("/tasks").json == []
    task = only_task(api("handler2"), "propose")
    assert api("handler").post(f"/tasks/{task['id']}/complete", {"data": {"disposal": "予以了结"}}).status_code == 403


def test_claimed_task_cannot_be_completed_by_another_user(api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    register(api, None)
    task = only_task(api("handler"), "propose")
    assert api("handler").post(f"/tasks/{task['id']}/claim").status_code == 200
    assert api("handler2").get("/tasks").json == []
    refused = api("handler2").post(f"/tasks/{task['id']}/complete", {"data": {"disposal": "予以了结"}})
    assert refused.status_code == 403 and refused.json["code"] == "claimed_by_other"
    assert api("handler").post(f"/tasks/{task['id']}/release").status_code == 200
    assert len(api("handler2").get("/tasks").json) == 1


def test_case_list_filters_and_paginates(api, deploy):
    deploy(approval_files())
    for n in range(3):
        start_demo_case(api, f"举报{n}")
    page = api("auditor").get("/cases?per_page=2&page=2&sort=created").json
    assert page["total"] == 3 and [c["title"] for c in page["items"]] == ["举报2"]
    assert api("auditor").get("/cases?q=举报1").json["total"] == 1
    assert api("auditor").get("/cases?status=completed").json["total"] == 0
    assert api("auditor").get("/cases?per_page=500").status_code == 422


def test_reporter_identity_is_moved_out_of_case_data(api, deploy, svc):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    detail = api("handler").get(f"/cases/{case['id']}").json
    assert "reporter_name" not in detail["data"] and detail["data"]["subject_name"] == "郝测试"
    with svc.db.read_session() as session:
        assert session.scalar(select(Reporter.fields)).get("reporter_name") == REPORTER_NAME
        payloads = [e.summary for e in session.scalars(select(AuditEvent))]
    assert REPORTER_NAME not in str(payloads)


def test_reporter_is_shown_to_need_to_know_roles_only_and_each_read_is_audited(api, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    reporter = f"/cases/{case['id']}/reporter"
    assert api("auditor").post(reporter, {"reason": "审计"}).status_code == 403
    assert api("handler").post(reporter, {"reason": "核实"}).status_code == 403  # not yet the handler
    assert api("intake").post(reporter, {}).status_code == 422  # a reason is required
    shown = api("intake").post(reporter, {"reason": "电话回访举报人"})
    assert shown.status_code == 200 and shown.json["reporter"]["reporter_name"] == REPORTER_NAME
    propose(api)
    assert api("handler").post(reporter, {"reason": "核实情况"}).status_code == 200
    assert api("supervisor").post(reporter, {"reason": "审批需要"}).status_code == 200
    events = api("auditor").get(f"/cases/{case['id']}/audit").json["events"]
    reads = [e for e in events if e["action"] == "reporter_viewed"]
    assert [e["actor_name"] for e in reads] == ["甄受理", "郝承办", "孙主任"]
