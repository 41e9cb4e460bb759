"""Keyboard only: log in, skip to the content, open a task from the worklist, fill it in and submit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.cases import actions
from tests.conftest import PASSWORD
from tests.support.approval import REGISTER_DATA, demo_files, open_task_id

pytestmark = pytest.mark.browser


def _tab_to(page, predicate_js: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_a_handler_works_a_task_with_the_keyboard_only(browser, live_server, deploy, svc, users):
    deploy(demo_files())
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "键盘办理测试", {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("用户名").focus()  # autofocus does it for a person; a background page may lack focus
        page.keyboard.type("handler")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server}/worklist")

        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("跳到主要内容")
        page.keyboard.press("Enter")
        _tab_to(page, "el.textContent.trim() === '办理' && el.tagName === 'A'")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="提出处置意见", level=1)).to_be_visible()

        _tab_to(page, "el.name === 'disposal'")
        page.keyboard.press("Space")
        _tab_to(page, "el.name === 'reason'")
        page.keyboard.type("经初步了解，反映问题无法查证。")
        _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === '提交'")
        page.keyboard.press("Enter")
        expect(page.locator(".flash")).to_contain_text("已提交“提出处置意见”")
        expect(page.locator(".ready-tasks li[data-bpmn-id=approve]")).to_have_count(1)
    finally:
        context.close()
