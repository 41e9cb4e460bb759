"""The approval demo driven through the browser by four people in separate browser contexts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.approval import demo_files

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(deploy):
    return deploy(demo_files())


def _start_case(page, base: str, title: str) -> str:
    page.get_by_role("link", name="发起案件").click()
    page.get_by_label("测试审批流程").check()
    page.get_by_label("案件标题").fill(title)
    page.get_by_role("button", name="发起").click()
    expect(page.locator(".flash")).to_contain_text("案件已发起")
    return page.url.removeprefix(base)


def _diagram_ready(page):
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    return diagram


def test_a_case_goes_from_registration_through_approval_in_the_browser(login, live_server, demo, output_dir):
    # 信访受理 logs in, starts a case, and registers it; one invalid date is refused next to its field.
    intake = login("intake")
    expect(intake.get_by_test_id("user-name")).to_have_text("甄受理")
    expect(intake.locator(".user-roles")).to_have_text("信访受理")
    case_path = _start_case(intake, live_server, "关于郝测试公车私用的问题线索")
    intake.get_by_role("link", name="打开任务").click()
    expect(intake.get_by_role("heading", name="登记举报", level=1)).to_be_visible()
    expect(intake.locator(".instructions")).to_contain_text("请登记 关于郝测试公车私用的问题线索")
    intake.get_by_label("被反映人").fill("郝测试")
    intake.get_by_label("涉及金额").fill("12000")
    intake.get_by_label("收到日期").fill("2026-02-30")
    intake.locator("[data-field=is_real_name]").get_by_label("是").check()
    intake.get_by_label("举报人姓名").fill("钱举报")
    intake.get_by_label("举报人电话").fill("13800000000")
    intake.get_by_role("button", name="提交").click()
    expect(intake.locator("#f-received_date-error")).to_have_text("日期不存在")
    expect(intake.get_by_label("被反映人")).to_have_value("郝测试")
    expect(intake.get_by_label("涉及金额")).to_have_value("12000")
    expect(intake.get_by_label("收到日期")).to_have_value("2026-02-30")
    expect(intake.locator("[data-field=is_real_name]").get_by_label("是")).to_be_checked()
    intake.screenshot(path=str(output_dir / "task-form-error.png"), full_page=True)
    intake.get_by_label("收到日期").fill("2026-03-02")
    intake.get_by_role("button", name="提交").click()
    expect(intake.locator(".flash")).to_contain_text("已提交")

    # 承办人: the worklist shows the proposal step; claim it, fill it in, submit.
    handler = login("handler")
    row = handler.locator("table.worklist tbody tr", has_text="提出处置意见")
    expect(row).to_have_count(1)
    expect(row.locator(".deadline")).to_contain_text("剩 5 个工作日")
    row.get_by_role("button", name="认领").click()
    expect(handler.locator(".flash")).to_contain_text("已认领")
    expect(row.locator(".badge.claimed")).to_have_text("我已认领")
    handler.screenshot(path=str(output_dir / "worklist.png"), full_page=True)
    row.get_by_role("link", name="办理").click()
    handler.locator("[data-field=disposal]").get_by_label("予以了结").check()
    handler.get_by_label("理由").fill("反映问题经了解无法查证。")
    handler.screenshot(path=str(output_dir / "task-form.png"), full_page=True)
    handler.get_by_role("button", name="提交").click()
    expect(handler.locator(".flash")).to_contain_text("已提交“提出处置意见”")
    assert handler.url == f"{live_server}{case_path}"

    # The case page draws the diagram and highlights the new current step (the approval).
    diagram = _diagram_ready(handler)
    expect(diagram).to_have_attribute("data-active", "approve")
    expect(handler.locator('#diagram g.djs-element.qf-active[data-element-id="approve"]')).to_have_count(1)
    expect(handler.locator('#diagram g.djs-element.qf-completed[data-element-id="propose"]')).to_have_count(1)
    handler.locator('#diagram g.djs-element[data-element-id="propose"]').click()
    expect(handler.locator("#step-info")).to_contain_text("郝承办（承办人（第一监督检查室）） 于 2026-03-02 09:00 办理")
    handler.screenshot(path=str(output_dir / "case-page.png"), full_page=True)

    # 部门负责人 in a second context: sees what is approved; a return needs a reason; then approves.
    supervisor = login("supervisor")
    supervisor.locator("table.worklist tbody tr", has_text="部门负责人审批").get_by_role("link", name="办理").click()
    expect(supervisor.locator(".approving")).to_contain_text("予以了结")
    expect(supervisor.locator(".approving")).to_contain_text("郝承办")
    supervisor.screenshot(path=str(output_dir / "approval-form.png"), full_page=True)
    supervisor.get_by_role("button", name="退回修改").click()
    expect(supervisor.locator("#f-opinion-error")).to_have_text("此项为必填项")
    supervisor.get_by_label("意见").fill("同意了结。")
    supervisor.get_by_role("button", name="同意").click()
    expect(supervisor.get_by_test_id("outcome")).to_have_text("结果：予以了结")
    _diagram_ready(supervisor)
    expect(supervisor.locator('#diagram g.djs-element.qf-completed[data-element-id="end"]')).to_have_count(1)
    expect(supervisor.locator('#diagram g.djs-element.qf-active')).to_have_count(0)

    # 审计员 sees the timeline with a valid chain, but no reporter button.
    auditor = login("auditor")
    auditor.goto(f"{live_server}{case_path}")
    expect(auditor.get_by_test_id("chain-status")).to_contain_text("审计链完整")
    expect(auditor.locator("#audit-timeline li[data-action=task_completed]")).to_have_count(3)
    expect(auditor.locator("#reporter")).to_have_count(0)
    expect(auditor.get_by_text("显示举报人信息")).to_have_count(0)
    expect(auditor.locator("body")).not_to_contain_text("钱举报")

    # 承办人 reveals the reporter with a reason; the read shows in the timeline.
    handler.reload()
    handler.get_by_text("显示举报人信息").click()
    handler.get_by_label("查看理由").fill("核实举报人身份以便反馈结果")
    handler.get_by_role("button", name="确认查看").click()
    expect(handler.get_by_test_id("reporter-fields")).to_contain_text("钱举报")
    expect(handler.get_by_test_id("reporter-fields")).to_contain_text("13800000000")
    viewed = handler.locator("#audit-timeline li[data-action=reporter_viewed]")
    expect(viewed).to_have_count(1)
    expect(viewed).to_contain_text("郝承办")
    expect(viewed).to_contain_text("核实举报人身份以便反馈结果")
    auditor.reload()
    expect(auditor.locator("#audit-timeline li[data-action=reporter_viewed]")).to_have_count(1)
    expect(auditor.locator("body")).not_to_contain_text("钱举报")
