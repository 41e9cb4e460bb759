"""Deadlines in the pages: header counts, the supervisors' overdue view, worklist pages."""

from __future__ import annotations

from service.cases import actions
from tests.support.approval import approval_files, only_task, register, start_demo_case


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
    assert actions.fire_due_timers(svc, case["id"]).event.summary["timers"] == ["overdue"]
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


def test_deadline_is_suspended_and_extended_from_the_case_page_and_audited(app, api, deploy, clock):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    task = only_task(api("handler"), "propose")
    handler = login(app, "handler")
    page = handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "期限调整" in page and "中止期限" in page
    assert "期限调整" not in login(app, "auditor").get(f"/cases/{case['id']}").get_data(as_text=True)
    response = handler.post(f"/tasks/{task['id']}/deadline/suspend", data={"reason": "等待调取银行流水"})
    assert response.status_code == 302
    page = handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "中止申请待负责人审批" in page and "期限已中止" not in page   # nobody stops their own clock
    supervisor = login(app, "supervisor")
    worklist = supervisor.get("/worklist").get_data(as_text=True)
    assert "待审批事项" in worklist and "等待调取银行流水" in worklist and "待审批 1" in worklist
    suspension_id = worklist.split('data-request-id="')[1].split('"')[0]
    response = supervisor.post(f"/suspensions/{suspension_id}/approve", data={"note": "同意", "next": "/worklist"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/worklist")
    assert "待审批事项" not in supervisor.get("/worklist").get_data(as_text=True)
    assert "期限已中止" in handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    clock.set("2026-03-06T10:00:00+08:00")
    handler.post(f"/tasks/{task['id']}/deadline/resume", data={"reason": "流水已取得"})
    handler.post(f"/tasks/{task['id']}/deadline/extensions", data={"workdays": "3", "reason": "需补充谈话"})
    page = handler.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "待审批" in page and "需补充谈话" in page and ">批准</button>" not in page  # not the requester's call
    extension_id = page.split('data-extension-id="')[1].split('"')[0]
    assert supervisor.post(f"/extensions/{extension_id}/approve", data={"note": "同意"}).status_code == 302
    detail = api("handler").get(f"/cases/{case['id']}").json
    assert detail["tasks"][0]["due_at"].startswith("2026-03-18")  # 03-09 + 4 suspended + 3 extended working days
    actions_seen = [e["action"] for e in api("auditor").get(f"/cases/{case['id']}/audit").json["events"]]
    assert {"deadline_suspended", "deadline_resumed", "deadline_extension_requested", "deadline_extended"} \
        <= set(actions_seen)
    timeline = supervisor.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "申请中止期限" in timeline and "批准中止期限" in timeline and "批准延期" in timeline
    assert "理由：等待调取银行流水；审批意见：同意" in timeline and "理由：需补充谈话" in timeline


def test_extension_without_a_number_of_days_is_refused_with_a_message(app, api, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    task = only_task(api("handler"), "propose")
    handler = login(app, "handler")
    response = handler.post(f"/tasks/{task['id']}/deadline/extensions", data={"workdays": "", "reason": "x"},
                            follow_redirects=True)
    assert "请填写延长的工作日数" in response.get_data(as_text=True)
