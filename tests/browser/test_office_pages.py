"""The pages as an office uses them (issue 18, points 1–5), each at 1440 px and on a 390 px phone: a returned step
says so; a submission that was not accepted gets no success message; requests waiting for a decision are in the
approver's worklist and header; nobody stops their own clock; registration checks what a clerk gets wrong.

Screenshots of the worklist, a case page, a returned step and an approval at both widths go to test-output/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.cases import actions
from tests.support.approval import REGISTER_DATA, demo_files, open_task_id

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def registered_demo_case(svc, users, title: str = "关于郝测试公车私用的问题线索") -> int:
    case_id = actions.start_case(svc, users["intake"], "approval_demo", title, {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    return case_id


@pytest.mark.parametrize("size", WIDTHS)
def test_a_returned_step_says_who_returned_it_when_and_why(size, login, live_server, deploy, svc, users, clock,
                                                           output_dir):
    deploy(demo_files())
    case_id = registered_demo_case(svc, users)
    actions.complete_task(svc, users["handler"], open_task_id(svc, case_id, "propose"), {"disposal": "予以了结"})
    viewport = WIDTHS[size]

    supervisor = login("supervisor", viewport)
    supervisor.goto(f"{live_server}/tasks/{open_task_id(svc, case_id, 'approve')}")
    supervisor.get_by_label("意见").fill("事实部分需补充银行流水")
    supervisor.locator('button[name="decision"][value="return"]').click()
    expect(supervisor.locator(".flash")).to_contain_text("案件进入“提出处置意见”")

    handler = login("handler", viewport)
    handler.goto(f"{live_server}/worklist")
    row = handler.locator(f'tr[data-bpmn-id="propose"][data-case-id="{case_id}"]')
    expect(row.get_by_test_id("returned-badge")).to_have_text("已退回")
    handler.screenshot(path=str(output_dir / f"office-worklist-{size}.png"), full_page=True)
    row.get_by_role("link", name="办理").click()
    banner = handler.get_by_test_id("returned-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("孙主任")
    expect(banner).to_contain_text("2026-03-02 09:00")
    expect(banner).to_contain_text("事实部分需补充银行流水")
    assert banner.bounding_box()["y"] < handler.locator("#form-title").bounding_box()["y"]
    handler.screenshot(path=str(output_dir / f"office-returned-step-{size}.png"), full_page=True)

    handler.goto(f"{live_server}/cases/{case_id}")
    history = handler.locator("#step-history tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(1).locator("td.decision")).to_have_text("予以了结")
    expect(history.nth(2).locator("td.decision")).to_have_text("退回修改")
    expect(history.nth(2)).to_contain_text("事实部分需补充银行流水")
    expect(handler.locator('.ready-tasks li[data-bpmn-id="propose"] .badge.returned')).to_have_text("已退回")
    handler.screenshot(path=str(output_dir / f"office-case-page-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", WIDTHS)
def test_a_suspension_waits_in_the_approvers_worklist_and_the_step_stays_overdue(size, login, live_server, deploy,
                                                                               svc, users, clock, output_dir):
    deploy(demo_files())
    case_id = registered_demo_case(svc, users)
    clock.set("2026-03-10T09:00:00+08:00")                                # 提出处置意见 is overdue now
    viewport = WIDTHS[size]

    handler = login("handler", viewport)
    handler.goto(f"{live_server}/cases/{case_id}")
    handler.locator(".deadline-control summary").click()
    handler.get_by_label("中止理由（如等待取证）").fill("等待调取银行流水")
    handler.get_by_role("button", name="申请中止期限").click()
    expect(handler.locator(".flash")).to_contain_text("中止申请已提交，待负责人批准")
    expect(handler.get_by_test_id("task-counts")).not_to_contain_text("待审批")   # not the requester's to decide
    handler.locator(".deadline-control summary").click()
    expect(handler.get_by_test_id("suspension-pending")).to_be_visible()

    supervisor = login("supervisor", viewport)
    supervisor.goto(f"{live_server}/overdue")
    expect(supervisor.locator("main")).to_contain_text("提出处置意见")     # still overdue until approved
    expect(supervisor.get_by_test_id("approval-count")).to_have_text("待审批 1")
    supervisor.get_by_test_id("approval-count").click()
    request = supervisor.locator('#approvals tr[data-approval-kind="suspension"]')
    expect(request).to_contain_text("中止期限申请")
    expect(request).to_contain_text("郝承办")
    expect(request).to_contain_text("等待调取银行流水")
    assert supervisor.evaluate("(() => { const a = document.querySelector('#approvals');"
                               " return a.getBoundingClientRect().right <= window.innerWidth; })()")  # no sideways
    supervisor.screenshot(path=str(output_dir / f"office-approval-{size}.png"), full_page=True)
    request.get_by_label("审批意见", exact=True).fill("同意，限五个工作日")
    request.get_by_role("button", name="批准", exact=True).click()
    expect(supervisor.locator(".flash")).to_contain_text("已批准中止")
    expect(supervisor.locator("#approvals")).to_have_count(0)
    supervisor.goto(f"{live_server}/overdue")
    expect(supervisor.locator("main")).not_to_contain_text("提出处置意见")

    supervisor.goto(f"{live_server}/cases/{case_id}")
    timeline = supervisor.locator("#audit-timeline")
    expect(timeline.locator('[data-action="deadline_suspension_requested"]')).to_contain_text("理由：等待调取银行流水")
    expect(timeline.locator('[data-action="deadline_suspended"]')).to_contain_text("审批意见：同意，限五个工作日")


@pytest.mark.parametrize("size", WIDTHS)
def test_a_submission_the_process_sends_back_gets_no_success_message(size, login, live_server, deploy, svc, users,
                                                                     output_dir):
    from tests.service.test_honest_submissions import looping_files

    files = looping_files()
    files.update({k: v for k, v in demo_files().items() if k != "approval_demo.bpmn"})
    deploy(files)
    case_id = registered_demo_case(svc, users)
    task_id = open_task_id(svc, case_id, "propose")

    handler = login("handler", WIDTHS[size])
    handler.goto(f"{live_server}/tasks/{task_id}")
    handler.locator("[data-field=disposal]").get_by_label("初步核实").check()
    handler.get_by_label("理由").fill("先核实再说")
    handler.get_by_role("button", name="提交").click()
    expect(handler.locator("#form-message")).to_contain_text("提交未被接受")
    expect(handler.locator(".flash-success")).to_have_count(0)
    expect(handler.get_by_label("理由")).to_have_value("先核实再说")               # the form stays as filled in
    assert open_task_id(svc, case_id, "propose") == task_id
    handler.screenshot(path=str(output_dir / f"office-not-accepted-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", WIDTHS)
def test_registration_refuses_what_a_clerk_gets_wrong_and_numbers_the_clue(size, login, live_server, svc, users,
                                                                          output_dir):
    from service.config import ROOT
    from service.deploy import deploy_directory
    from tests.browser.test_clue_to_closure import fill_form
    from tests.scenarios.clue_handling import CLUE_0001

    deploy_directory(svc, ROOT / "bpmn")
    case_id = actions.start_case(svc, users["intake"], "clue_handling", "关于郝测试公车私用问题的线索", {}).case_id
    intake = login("intake", WIDTHS[size])
    intake.goto(f"{live_server}/tasks/{open_task_id(svc, case_id, 'register_clue')}")
    expect(intake.locator("#f-clue_no")).to_have_count(0)                      # the system numbers the clue
    expect(intake.locator(".task-side")).to_contain_text("XS-2026-0001")
    data = {k: v for k, v in CLUE_0001.items() if k not in ("reporter_name",)}
    fill_form(intake, {**data, "received_date": "2026-03-03", "petition_no": "XF-2026-88"})
    intake.get_by_role("button", name="提交").click()
    expect(intake.locator("#f-received_date-error")).to_have_text("不能晚于今天（2026-03-02）")
    expect(intake.locator("#f-reporter_name-error")).to_have_text("实名检举控告须登记检举控告人姓名")
    expect(intake.locator(".flash-success")).to_have_count(0)
    intake.get_by_label("收到日期").fill("2026-02-30")
    intake.get_by_role("button", name="提交").click()
    expect(intake.locator("#f-received_date-error")).to_have_text("日期不存在")
    intake.screenshot(path=str(output_dir / f"office-registration-errors-{size}.png"), full_page=True)
    intake.get_by_label("收到日期").fill("2026-03-02")
    intake.get_by_label("检举控告人姓名").fill("冯哑元")
    intake.get_by_role("button", name="提交").click()
    expect(intake.locator(".flash-success")).to_contain_text("已提交“受理登记问题线索”")
    intake.goto(f"{live_server}/cases/{case_id}")
    expect(intake.locator(".facts").first).to_contain_text("XS-2026-0001")
