"""Issue 13 in the browser, at 1440 px and 390 px: the admin screens (users, positions, password, deactivation,
departments, the working-day table), the 回避 flow (declare → decide → the recused lose access → lift) and the
designer's position picker (tasks and lanes). Screenshots go to test-output/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.cases import actions
from service.deploy import deploy_directory
from service.models import User, WorkItem
from tests.scenarios.clue_handling import CLUE_0001

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output"
BPMN_DIR = ROOT / "bpmn"
WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def shot(page, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def no_page_overflow(page) -> None:
    """Nothing widens the page past the viewport (wide tables scroll inside their box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_screens_create_a_user_give_positions_reset_and_deactivate(svc, users, login, live_server, width):
    page = login("admin")
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server}/admin/departments")
    page.locator("#dept-name").fill("第三监督检查室")
    page.locator("#dept-kind").select_option("supervision")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("[data-testid=departments]")).to_contain_text("第三监督检查室")
    shot(page, f"org-admin-departments-{width}")

    page.goto(f"{live_server}/admin/users")
    nav = page.locator("nav.admin-nav")
    expect(nav).to_contain_text("工作日调整")
    page.locator("#username").fill("handler3")
    page.locator("#display_name").fill("赵承办")
    page.locator("#password").fill("qingfeng-demo")
    options = page.locator("#new-kind option").all_inner_texts()
    assert "承办人" in options and not any("主要负责人" in o for o in options)   # operator-only positions hidden
    page.locator("#new-kind").select_option("member")
    page.locator("#new-department").select_option(label="第三监督检查室")
    page.get_by_role("button", name="创建").click()
    expect(page.locator("[data-testid=positions]")).to_contain_text("第三监督检查室")
    no_page_overflow(page)

    page.locator("#add-kind").select_option("designer")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("[data-testid=positions]")).to_contain_text("流程设计")
    page.locator("#new-password").fill("another-pass-1")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator(".flash-success")).to_contain_text("密码已重置")
    page.get_by_role("button", name="停用账号").click()
    expect(page.locator("h1")).to_contain_text("已停用")
    shot(page, f"org-admin-user-{width}")

    page.goto(f"{live_server}/admin/users/{users['admin']}")   # one's own account: nothing to escalate with
    expect(page.locator("[data-testid=self-note]")).to_be_visible()
    assert page.locator("#add-kind").count() == 0

    page.goto(f"{live_server}/admin/calendar?year=2026")
    page.locator("#override-day").fill("2026-10-10")
    page.locator("#override-reason").fill("国庆调休上班")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-testid=overrides]")).to_contain_text("国庆调休上班")
    no_page_overflow(page)
    shot(page, f"org-admin-calendar-{width}")
    with svc.db.read_session() as session:
        assert session.scalar(select(User.active).where(User.username == "handler3")) is False


def clue_case(svc, users) -> int:
    """A registered 第一监督检查室 clue: its head (supervisor) and the overseeing deputy read it."""
    deploy_directory(svc, BPMN_DIR)
    started = actions.start_case(svc, users["intake"], "clue_handling", "线索", {"department": "第一监督检查室"})
    case_id = started.case_id
    with svc.db.read_session() as session:
        task_id = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case_id,
                                                                WorkItem.bpmn_id == "register_clue"))
    actions.complete_task(svc, users["intake"], task_id, dict(CLUE_0001))
    return case_id


@pytest.mark.parametrize("width", WIDTHS)
def test_recusal_declared_decided_binding_at_once_and_lifted(svc, users, login, live_server, width):
    case_id = clue_case(svc, users)
    supervisor = login("supervisor")
    supervisor.set_viewport_size(WIDTHS[width])
    supervisor.goto(f"{live_server}/cases/{case_id}")
    supervisor.get_by_test_id("recusals-link").click()
    supervisor.locator("#declare-ground").select_option("close_relative")
    supervisor.locator("#declare-grounds").fill("被反映人系本人配偶的兄弟")
    supervisor.get_by_role("button", name="提交回避申请").click()
    expect(supervisor.locator("[data-testid=recusal-requests]")).to_contain_text("待决定")
    no_page_overflow(supervisor)
    shot(supervisor, f"org-recusal-declared-{width}")

    deputy = login("deputy")
    deputy.set_viewport_size(WIDTHS[width])
    deputy.goto(f"{live_server}/worklist")
    deputy.get_by_role("link", name="回避审批").click()   # the header offers the deciders their queue
    deputy.locator("[data-testid=recusal-queue] a").first.click()
    form = deputy.locator("form[data-testid^=decide-]")
    form.locator("textarea[name=note]").fill("理由成立，同意回避")
    form.get_by_role("button", name="决定回避").click()
    expect(deputy.locator("[data-testid=recusal-requests]")).to_contain_text("已回避")
    shot(deputy, f"org-recusal-decided-{width}")

    supervisor.goto(f"{live_server}/cases/{case_id}")
    expect(supervisor.locator("main")).to_contain_text("您已回避本案")
    shot(supervisor, f"org-recusal-refused-{width}")

    deputy.locator(f"[data-testid=lift-{users['supervisor']}] textarea").fill("经核实并非近亲属，系同名")
    deputy.get_by_role("button", name="解除回避").click()
    expect(deputy.locator("[data-testid=recusal-requests]")).to_contain_text("已解除回避")
    supervisor.goto(f"{live_server}/cases/{case_id}")
    expect(supervisor.locator("h1")).to_contain_text("线索")


@pytest.mark.parametrize("width", WIDTHS)
def test_designer_picks_positions_in_chinese_for_tasks_and_lanes(svc, users, login, live_server, width):
    version_id = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}["clue_handling"].version_id
    page = login("designer")
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server}/designer/versions/{version_id}")
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)

    page.evaluate("id => window.qfDesigner.select(id)", "screen_clue")
    page.wait_for_selector('#props[data-element-id="screen_clue"]')
    picker = page.locator("#qf-prop-role")
    labels = picker.locator("option").all_inner_texts()
    assert "承办部门承办人" in labels and "分管该部门的分管领导" in labels
    assert picker.locator("optgroup").first.get_attribute("label") == "按本案确定的职务"
    picker.select_option("dept_member")
    shot(page, f"org-designer-task-position-{width}")

    page.evaluate("id => window.qfDesigner.select(id)", "lane_leader")
    page.wait_for_selector('#props[data-element-id="lane_leader"]')
    page.locator("#qf-prop-lane_role").select_option("deputy")
    shot(page, f"org-designer-lane-position-{width}")
    page.evaluate("id => window.qfDesigner.select(id)", "approve_disposal_leader")
    page.wait_for_selector('#props[data-element-id="approve_disposal_leader"]')
    expect(page.locator("#qf-prop-role")).to_have_value("deputy")

    page.locator("#btn-check").click()
    page.wait_for_selector("#problems-panel[data-result]")
    assert "未知角色" not in page.locator("#problems-panel").inner_text()
