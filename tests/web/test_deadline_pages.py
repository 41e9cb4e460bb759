"""Deadlines in the pages: header counts, the supervisors' overdue view, worklist pages."""

from __future__ import annotations

from service.cases import actions
from tests.service.helpers import approval_files, only_task, register, start_demo_case


def login(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "qingfeng-demo"})
    assert response.status_code == 302
    return client


def test_header_counts_overdue_and_due_soon_tasks_for_the_user(app, api, deploy, clock):
    deploy(approval_files())
    start_demo_case(api)
    register(api, None)  # propose is due 5 working days later (2026-03-09)
    page = login(app, "handler").get("/worklist").get_data(as_text=True)
    assert "逾期 0" in page and "临期 0" in page
    clock.set("2026-03-06T10:00:00+08:00")
    page = login(app, "handler").get("/worklist").get_data(as_text=True)
    assert "逾期 0" in page and "临期 1" in page
    clock.set("2026-03-10T10:00:00+08:00")
    page = login(app, "handler").get("/worklist").get_data(as_text=True)
    assert "逾期 1" in page and "临期 0" in page


def test_escalated_step_shows_on_the_supervisors_overdue_view(app, api, deploy, clock, svc):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    assert login(app, "handler").get("/overdue").status_code == 403
    clock.set("2026-03-10T10:00:00+08:00")
    page = login(app, "supervisor").get("/overdue").get_data(as_text=True)
    assert "逾期未办" in page and "提出处置意见" in page
    assert actions.fire_due_timers(svc, case["id"]) == ["overdue"]
    page = login(app, "supervisor").get("/overdue").get_data(as_text=True)
    assert "已升级督办" in page and "逾期督办" in page and case["reference"] in page
    assert only_task(api("supervisor"), "escalate")


def test_worklist_is_paged_fifty_at_a_time(app, api, deploy):
    deploy(approval_files())
    for n in range(51):
        start_demo_case(api, f"举报{n}")
    client = login(app, "intake")
    first = client.get("/worklist").get_data(as_text=True)
    assert "（51 项）" in first and "第 1 / 2 页" in first and first.count('data-task-id="') == 50
    second = client.get("/worklist?page=2").get_data(as_text=True)
    assert second.count('data-task-id="') == 1
