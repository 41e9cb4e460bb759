"""A newcomer takes a clue from registration to closure using only the browser.

The steps and data are the `clue_handling` scenario `closed_no_action` (tests/scenarios), so the browser
walks the same path the engine and service runners check: each person opens 我的待办, picks the step of
this case, fills in the form rendered from its JSON Schema, and submits.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.config import ROOT
from tests.scenarios import Do, Expect, Wait

pytestmark = pytest.mark.browser
BPMN = ROOT / "bpmn"


@pytest.fixture
def clue_handling(svc):
    """Every process (clue handling declares the processes its outcomes start); its own version."""
    from service.deploy import deploy_directory

    return {r.process_key: r for r in deploy_directory(svc, BPMN)}["clue_handling"]


def fill_form(page, data: dict) -> None:
    """Fill each field the way a person would, by the widget the page rendered for it."""
    for key, value in data.items():
        if key == "decision":
            continue
        field = page.locator(f'[data-field="{key}"]')
        if key == "clue_no":
            expect(field).to_have_count(0)   # the 线索编号 is the system's: shown with the case, never typed
            continue
        kind = next(c for c in field.get_attribute("class").split() if c.startswith("field-"))[6:]
        if kind == "boolean":
            field.locator(f'input[value="{"true" if value else "false"}"]').check()
        elif kind == "radio":
            field.locator(f'input[value="{value}"]').check()
        elif kind == "checkboxes":
            for item in value:
                field.locator(f'input[value="{item}"]').check()
        elif kind == "select":
            page.locator(f"#f-{key}").select_option(str(value))
        elif kind == "lines":
            page.locator(f"#f-{key}").fill("\n".join(value))
        else:
            page.locator(f"#f-{key}").fill(str(value))


def submit(page, data: dict) -> None:
    if "decision" in data:
        page.locator(f'button[name="decision"][value="{data["decision"]}"]').click()
    else:
        page.get_by_role("button", name="提交").click()


def test_a_newcomer_takes_a_clue_from_registration_to_closure(login, live_server, clue_handling, output_dir, svc,
                                                               users):
    from service.cases.org.positions import records_outside_decision, task_position
    from tests.scenarios.clue_handling import SCENARIOS
    from tests.service.test_process_paths import USERS_BY_POSITION, chain_signers, open_items

    scenario = SCENARIOS["closed_no_action"]
    people = {}

    def person(role: str):
        if role not in people:
            people[role] = login(role)
        return people[role]

    intake = person(scenario.start_role)
    intake.get_by_role("link", name="发起案件").click()
    intake.locator('input[name="process_key"][value="clue_handling"]').check()
    intake.get_by_label("案件标题").fill("关于郝测试公车私用问题的线索")
    intake.get_by_role("button", name="发起").click()
    expect(intake.locator(".flash")).to_contain_text("案件已发起")
    case_url = intake.url
    case_id = case_url.rsplit("/", 1)[1]

    for step in scenario.steps:
        assert not isinstance(step, Wait), "the browser walk has no clock to move"
        if isinstance(step, Expect):
            intake.goto(case_url)
            expect(intake.locator(".ready-tasks li[data-bpmn-id]")).to_have_count(len(step.ready))
            for bpmn_id in step.ready:
                expect(intake.locator(f'.ready-tasks li[data-bpmn-id="{bpmn_id}"]')).to_have_count(1)
            continue
        assert isinstance(step, Do)
        # The person the organisation gives this step to, as the service runner picks them (tests/service).
        [item] = [i for i in open_items(svc, int(case_id)) if i.bpmn_id == step.task]
        signed = set() if records_outside_decision(item.lane) else chain_signers(svc, int(case_id), item.approves)
        page = person(next(u for u in USERS_BY_POSITION[task_position(item.role, item.lane)]
                           if users[u] not in signed))
        page.goto(f"{live_server}/worklist")
        row = page.locator(f'tr[data-bpmn-id="{step.task}"][data-case-id="{case_id}"]')
        row.get_by_role("link", name="办理").click()
        fill_form(page, step.data)
        if step.task == "register_clue":
            page.screenshot(path=str(output_dir / "clue-register-form.png"), full_page=True)
        submit(page, step.data)
        expect(page.locator(".flash")).to_contain_text("已提交")

    intake.goto(case_url)
    expect(intake.get_by_test_id("outcome")).to_have_text(f"结果：{scenario.outcome}")
    expect(intake.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(intake.get_by_test_id("chain-status")).to_contain_text("审计链完整")
    intake.screenshot(path=str(output_dir / "clue-closed-case-page.png"), full_page=True)
    intake.get_by_role("link", name="案件", exact=True).click()
    expect(intake.locator("table.cases tbody tr")).to_have_count(1)
    expect(intake.locator("table.cases")).to_contain_text(scenario.outcome)
    intake.screenshot(path=str(output_dir / "case-list.png"), full_page=True)
