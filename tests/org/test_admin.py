"""Admin actions on the organisation: departments, accounts, positions with history, all audited."""

from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, audit
from service.cases.errors import Conflict, InvalidInput, NotAllowed
from service.cases.org import admin
from service.deploy import deploy_directory
from service.models import AuditEvent, Case, WorkItem
from tests.conftest import ApiClient

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def test_admin_api_creates_a_department_and_an_account_with_positions(app, api, svc):
    client = api("admin")
    created = client.post("/departments", {"name": "第三监督检查室", "kind": "supervision"})
    assert created.status_code == 201, created.json
    dept = created.json["id"]
    response = client.post("/users", {"username": "handler3", "display_name": "赵承办", "password": "qingfeng-demo",
                                      "positions": [{"kind": "member", "department_id": dept}]})
    assert response.status_code == 201, response.json
    assert response.json["roles"] == ["handler"]
    assert [(p["kind"], p["department"]) for p in response.json["positions"]] == [("member", "第三监督检查室")]
    assert ApiClient(app, "handler3").user["username"] == "handler3"
    with svc.db.read_session() as session:
        actions_logged = session.scalars(select(AuditEvent.action).where(AuditEvent.chain == "org")).all()
        assert {"department_created", "user_created"} <= set(actions_logged)
        assert audit.verify(session, "org").valid


def test_non_admins_are_refused_every_admin_action(api, users):
    client = api("supervisor")
    assert client.get("/users").status_code == 403
    assert client.post("/departments", {"name": "某室"}).status_code == 403
    new_user = {"username": "x1", "display_name": "某", "password": "qingfeng-demo"}
    assert client.post("/users", new_user).status_code == 403
    assert client.post(f"/users/{users['handler']}/password", {"password": "another-pass"}).status_code == 403
    assert client.post(f"/users/{users['handler']}/deactivate").status_code == 403


def test_department_positions_need_a_department_and_unknown_kinds_are_refused(svc, users):
    with pytest.raises(InvalidInput):
        admin.add_position(svc, users["admin"], users["handler"], "head", None)
    with pytest.raises(InvalidInput):
        admin.add_position(svc, users["admin"], users["handler"], "emperor", None)


def test_moving_a_user_ends_the_old_position_and_keeps_it_in_the_history(app, api, svc, users, clock):
    client = api("admin")
    second = client.post("/departments", {"name": "第二监督检查室", "kind": "supervision"}).json["id"]
    record = client.get(f"/users/{users['handler']}").json
    old = record["positions"][0]
    clock.advance(days=1)
    moved = client.post(f"/positions/{old['id']}/move", {"department_id": second})
    assert moved.status_code == 201, moved.json
    after = client.get(f"/users/{users['handler']}").json
    assert [p["department"] for p in after["positions"]] == ["第二监督检查室"]
    assert [(p["department"], p["current"]) for p in after["history"]] == [("第一监督检查室", False),
                                                                           ("第二监督检查室", True)]
    assert after["history"][0]["valid_to"] is not None


def test_ending_the_last_position_removes_the_capability_at_once(svc, users):
    with svc.db.read_session() as session:
        from service.cases.org.queries import user_record
        position = user_record(session, users["designer"], svc.now())["positions"][0]
    admin.end_position(svc, users["admin"], position["id"])
    with svc.db.read_session() as session:
        from service.models import User
        assert session.get(User, users["designer"]).roles == ()
    with pytest.raises(Conflict):
        admin.end_position(svc, users["admin"], position["id"])


def test_deactivating_a_user_releases_their_claims_and_lists_their_open_cases(app, api, svc, users):
    from tests.support.approval import approval_files, propose, register, start_demo_case

    svc_deploy = actions.deploy_process(svc, None, approval_files())
    assert svc_deploy.created
    start_demo_case(api)
    register(api, None)
    propose(api)  # the handler becomes the case's handler
    with svc.db.read_session() as session:
        item = session.scalar(select(WorkItem).where(WorkItem.completed_at.is_(None)))
        case_id = item.case_id
    # the handler claims nothing open now; give them a claim on a fresh handler task of another case
    result = api("admin").post(f"/users/{users['handler']}/deactivate")
    assert result.status_code == 200, result.json
    assert [c["case_id"] for c in result.json["open_cases"]] == [case_id]
    assert result.json["released"] == []
    with svc.db.read_session() as session:
        assert session.get(Case, case_id).handler_id == users["handler"]
    refused = app.test_client().post("/api/v1/session", json={"username": "handler", "password": "qingfeng-demo"})
    assert refused.status_code == 401
    with pytest.raises(Conflict):
        admin.deactivate_user(svc, users["admin"], users["handler"])


def test_deactivation_releases_a_claimed_task(api, svc, users):
    from tests.support.approval import approval_files, only_task, register, start_demo_case

    actions.deploy_process(svc, None, approval_files())
    start_demo_case(api)
    register(api, None)
    task = only_task(api("handler"), "propose")
    assert api("handler").post(f"/tasks/{task['id']}/claim").status_code == 200
    result = admin.deactivate_user(svc, users["admin"], users["handler"])
    assert [t["task_id"] for t in result["released"]] == [task["id"]]
    with svc.db.read_session() as session:
        assert session.scalar(select(WorkItem.assignee_id).where(WorkItem.task_id == task["id"])) is None


def test_reset_password_lets_the_user_log_in_with_the_new_one_only(app, svc, users):
    admin.reset_password(svc, users["admin"], users["handler"], "a-new-password")
    client = app.test_client()
    assert client.post("/api/v1/session", json={"username": "handler", "password": "qingfeng-demo"}).status_code == 401
    assert client.post("/api/v1/session", json={"username": "handler", "password": "a-new-password"}).status_code == 200
    with pytest.raises(InvalidInput):
        admin.reset_password(svc, users["admin"], users["handler"], "short")


def test_the_principal_alone_grants_access_and_appoints_delegates(svc, users, clock):
    from datetime import timedelta

    from service.cases.org import delegation

    deploy_directory(svc, BPMN_DIR)
    case_id = actions.start_case(svc, users["intake"], "clue_handling", "关于某某的线索", {}).case_id
    until = clock.now + timedelta(days=30)
    with pytest.raises(NotAllowed):
        delegation.grant_access(svc, users["supervisor"], case_id, users["handler2"], "协助核查", until)
    with pytest.raises(InvalidInput):
        delegation.grant_access(svc, users["leader"], case_id, users["handler2"], "", until)
    grant = delegation.grant_access(svc, users["leader"], case_id, users["handler2"], "协助核查", until)
    delegation.revoke_access(svc, users["leader"], grant)
    with pytest.raises(InvalidInput):  # a deputy's acting appointment names the department
        delegation.appoint_acting(svc, users["leader"], users["supervisor2"], "deputy", None, "出差期间代行", until)
    with pytest.raises(NotAllowed):
        delegation.appoint_acting(svc, users["supervisor"], users["supervisor2"], "principal", None, "代行", until)
    delegation.appoint_acting(svc, users["leader"], users["supervisor2"], "principal", None, "出差期间代行", until)
    with svc.db.read_session() as session:
        assert "acting_appointed" in session.scalars(select(AuditEvent.action).where(AuditEvent.chain == "org")).all()
    with svc.db.read_session() as session:
        events = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)).all()
        assert ["access_granted", "access_revoked"] == [e for e in events if e.startswith("access")]
