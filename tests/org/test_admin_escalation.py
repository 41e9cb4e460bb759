"""An administrator keeps the system running but cannot give themselves, or an account they control, the office's
powers (issue 13 point 8): thought through as an attacker holding the demo admin account."""

from datetime import date

from sqlalchemy import select

from service.cases.org import admin
from service.models import AuditEvent, Position
from tests.conftest import PASSWORD


def page_client(app, username: str):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


def test_an_admin_cannot_change_their_own_positions_or_password_through_administration(api, users, svc):
    client = api("admin")
    refused = client.post(f"/users/{users['admin']}/positions", {"kind": "member", "department_id": 1})
    assert refused.status_code == 403 and refused.json["code"] == "self_change"
    own = client.get(f"/users/{users['admin']}").json["positions"][0]["id"]
    assert client.post(f"/positions/{own}/end").json["code"] == "self_change"
    reset = client.post(f"/users/{users['admin']}/password", {"password": "another-pass-1"})
    assert reset.json["code"] == "self_change"


def test_positions_that_read_every_case_or_administer_are_granted_by_the_operator_only(api, users, svc):
    client = api("admin")
    for kind in ("principal", "auditor", "admin"):
        response = client.post(f"/users/{users['handler2']}/positions", {"kind": kind})
        assert response.status_code == 403 and response.json["code"] == "operator_only", kind
    created = client.post("/users", {"username": "puppet", "display_name": "傀儡", "password": "qingfeng-demo",
                                     "positions": [{"kind": "principal"}]})
    assert created.status_code == 403 and created.json["code"] == "operator_only"
    assert client.get("/users").json and "puppet" not in {u["username"] for u in client.get("/users").json}
    leader_position = client.get(f"/users/{users['leader']}").json["positions"][0]["id"]
    assert client.post(f"/positions/{leader_position}/end").json["code"] == "operator_only"   # no 架空 either
    admin.add_position(svc, None, users["handler2"], "auditor", None)   # the operator (CLI grant-position) may


def test_an_admin_does_not_reset_the_principals_password_but_a_handlers(api, users):
    client = api("admin")
    refused = client.post(f"/users/{users['leader']}/password", {"password": "i-am-the-leader"})
    assert refused.status_code == 403 and refused.json["code"] == "operator_only"
    assert client.post(f"/users/{users['handler']}/password", {"password": "a-new-pass-1"}).status_code == 204


def test_an_administrator_holds_no_position_that_reads_case_content(api, users, svc):
    admin.add_position(svc, None, users["designer"], "admin", None)   # a second administrator, made by the operator
    response = api("admin").post(f"/users/{users['designer']}/positions", {"kind": "member", "department_id": 1})
    assert response.status_code == 403 and response.json["code"] == "separation_of_duties"
    with svc.db.read_session() as session:
        kinds = set(session.scalars(select(Position.kind).where(Position.user_id == users["designer"])))
        assert kinds == {"designer", "admin"}


def test_the_admin_pages_offer_only_what_the_admin_may_do(app, users):
    client = page_client(app, "admin")
    own = client.get(f"/admin/users/{users['admin']}").get_data(as_text=True)
    assert 'data-testid="self-note"' in own and "添加职务" not in own and "重置密码" not in own
    other = client.get(f"/admin/users/{users['handler']}").get_data(as_text=True)
    assert "添加职务" in other and ">主要负责人（纪工委书记）</option>" not in other and ">审计</option>" not in other
    leader = client.get(f"/admin/users/{users['leader']}").get_data(as_text=True)
    assert "重置密码</button>" not in leader and "由服务器管理员通过命令行" in leader
    refused = client.post(f"/admin/users/{users['admin']}/positions", data={"kind": "member", "department_id": "1"})
    assert refused.status_code == 302   # shown on the page, not applied
    assert "不能变更自己的职务" in client.get(refused.headers["Location"]).get_data(as_text=True)


def test_the_working_day_override_table_is_an_admin_screen(app, users, svc):
    client = page_client(app, "admin")
    assert "工作日调整" in client.get("/admin/users").get_data(as_text=True)
    saved = client.post("/admin/calendar", data={"day": "2026-10-10", "is_workday": "1", "reason": "国庆调休上班"})
    assert saved.status_code == 302
    listed = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "2026-10-10" in listed and "国庆调休上班" in listed
    assert svc.calendar().is_workday(date(2026, 10, 10))
    assert client.post("/admin/calendar/2026-10-10/delete").status_code == 302
    assert "2026-10-10" not in client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert page_client(app, "supervisor").get("/admin/calendar").status_code == 403
    with svc.db.read_session() as session:
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.chain == "system")))
        assert {"holiday_override_set"} <= actions
