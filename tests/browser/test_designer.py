"""Process designer in the browser: edit clue_handling, check, see a problem on the element, fix it,
deploy v2, keep the old case on v1, start new cases on v2, migrate the old case; and every process in
bpmn/ round-trips through the modeler's export unchanged in meaning."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.cases import actions
from service.deploy import deploy_directory
from service.models import AuditEvent, Case, ProcessVersion
from workflows.specs import collect_sources, load_bundle

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
PROCESS_KEYS = sorted(p.stem for p in BPMN_DIR.glob("*.bpmn"))


def open_editor(page, live_server: str, version_id: int) -> None:
    page.goto(f"{live_server}/designer/versions/{version_id}")
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)


def case_version(svc, case_id: int) -> int:
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        return session.get(ProcessVersion, case.process_version_id).version


def process_graph(svc, files: dict[str, bytes]) -> dict:
    """Every task spec of the parsed process (and called processes) as the serializer sees it."""
    bundle = load_bundle(files)
    registry = svc.engine.serializer.registry
    specs = [bundle.spec, *[s for s in bundle.subprocess_specs.values() if s is not None]]
    return {(spec.name, ts.name): registry.convert(ts) for spec in specs for ts in spec.task_specs.values()}


def test_designer_edits_checks_fixes_deploys_and_migrates_clue_handling(svc, users, login, live_server):
    deployed = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}
    v1 = deployed["clue_handling"]
    old_case = actions.start_case(svc, users["intake"], "clue_handling", "旧版本上的线索", {}).case_id
    assert case_version(svc, old_case) == 1

    page = login("designer")
    page.goto(f"{live_server}/designer/")
    page.locator(f'tr[data-version-id="{v1.version_id}"] a.open-version').click()
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)

    # change a task name in the properties panel
    page.evaluate("id => window.qfDesigner.select(id)", "screen_clue")
    page.wait_for_selector('#props[data-element-id="screen_clue"]')
    page.locator("#qf-prop-name").fill("初步甄别（含重复件核对）")
    page.locator("#qf-prop-name").press("Tab")

    # change a timer: a Camunda-style unquoted duration
    page.evaluate("id => window.qfDesigner.select(id)", "timer_reply_overdue")
    page.wait_for_selector('#props[data-element-id="timer_reply_overdue"]')
    page.locator("#qf-prop-timer_kind").select_option("timeDuration")
    page.locator("#qf-prop-timer_expression").fill("P30D")
    page.locator("#qf-prop-timer_expression").press("Tab")

    # check: the problem is listed and placed on the timer element
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="problems"]')
    problem = page.locator('#problems li[data-element-id="timer_reply_overdue"]')
    assert "定时器表达式须为带引号的字符串" in problem.inner_text()
    badge = page.locator('.djs-overlay .qf-problem-badge[data-element-id="timer_reply_overdue"]')
    assert badge.count() == 1
    shape = page.locator('.djs-element[data-element-id="timer_reply_overdue"]')
    assert "qf-has-problem" in shape.get_attribute("class")
    page.screenshot(path=str(ROOT / "test-output" / "designer-problem.png"))

    # fix it from the problem list, check again, deploy
    problem.get_by_role("button", name="在图中定位").click()
    page.wait_for_selector('#props[data-element-id="timer_reply_overdue"]')
    page.screenshot(path=str(ROOT / "test-output" / "designer-problem-located.png"))
    page.locator("#qf-prop-timer_expression").fill('"P30D"')
    page.locator("#qf-prop-timer_expression").press("Tab")
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="ok"]')
    assert page.locator(".qf-problem-badge").count() == 0
    assert "screen_clue" in page.locator("#diff .diff-group.changed").inner_text()

    page.locator("#deploy-comment").fill("甄别名称调整；函询回复期限改为30日")
    page.locator("#btn-deploy").click()
    page.wait_for_url("**/designer/versions/*?deployed=1")
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)
    assert page.locator("#version-label").inner_text() == "第 2 版"
    changed = page.locator("#diff .diff-group.changed").inner_text()
    assert "screen_clue" in changed and "timer_reply_overdue" in changed

    with svc.db.read_session() as session:
        v2 = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "clue_handling",
                                                         ProcessVersion.version == 2))
        deployed_event = session.scalar(select(AuditEvent).where(AuditEvent.action == "process_deployed",
                                                                 AuditEvent.actor_name == "郑设计"))
    assert v2 is not None and deployed_event.summary["version"] == 2
    assert "初步甄别（含重复件核对）" in v2.files["clue_handling.bpmn"]

    # the running case stays on v1, a new case runs v2
    assert case_version(svc, old_case) == 1
    new_case = actions.start_case(svc, users["intake"], "clue_handling", "新版本上的线索", {}).case_id
    assert case_version(svc, new_case) == 2

    # migrate the eligible old case from the page
    page.reload()
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)
    row = page.locator(f'#migrate tr[data-case-id="{old_case}"]')
    row.wait_for()
    assert "可以迁移" in row.inner_text()
    assert page.locator(f'#migrate tr[data-case-id="{new_case}"]').count() == 0
    page.locator("#btn-migrate").click()
    result = page.locator(f'#migration-results li[data-case-id="{old_case}"]')
    result.wait_for()
    assert "已从第 1 版迁移到第 2 版" in result.inner_text()
    assert case_version(svc, old_case) == 2
    with svc.db.read_session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.case_id == old_case,
                                                        AuditEvent.action == "case_migrated"))
    assert event.summary["from_version"] == 1 and event.summary["to_version"] == 2
    assert event.actor_name == "郑设计"


def test_every_process_round_trips_through_the_modeler_export(svc, users, login, live_server):
    results = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}
    page = login("designer")
    for key in PROCESS_KEYS:
        open_editor(page, live_server, results[key].version_id)
        exported = page.evaluate("() => window.qfDesigner.exportMainBpmn()")
        original = collect_sources(BPMN_DIR, key)
        source = original[f"{key}.bpmn"].decode("utf-8")
        assert exported != source, "the export must come from the modeler, not the stored text"
        for tag in ("bpmndi:BPMNDiagram", "bpmndi:BPMNShape", "bpmndi:BPMNEdge"):
            assert exported.count(f"<{tag} ") == source.count(f"<{tag} "), (key, tag)
        before = process_graph(svc, original)
        after = process_graph(svc, {**original, f"{key}.bpmn": exported.encode("utf-8")})
        assert after.keys() == before.keys(), key
        for name, spec in before.items():
            assert after[name] == spec, (key, name)


@pytest.mark.parametrize("role", ["auditor"])
def test_auditor_sees_versions_read_only(svc, users, login, live_server, role):
    version = deploy_directory(svc, BPMN_DIR)[0]
    page = login(role)
    open_editor(page, live_server, version.version_id)
    assert page.locator("#btn-deploy").count() == 0
    page.evaluate("() => window.qfDesigner.select(window.qfDesigner.modeler.get('canvas').getRootElement().id)")
    assert page.locator("#props input:not([disabled])").count() == 0


def type_into_cell(page, cell, text: str) -> None:
    editable = cell.locator('[contenteditable="true"]:visible').first
    editable.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def test_decision_table_edit_is_checked_and_reported_for_its_file(svc, users, login, live_server):
    version = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}["clue_handling"]
    page = login("designer")
    open_editor(page, live_server, version.version_id)
    page.get_by_role("tab", name="决策表 (DMN)").click()
    page.locator("#dmn-file").select_option("clue_disposal.dmn")
    cell = page.locator('#dmn-canvas td[data-element-id="rule_1_out_3"]')
    cell.wait_for()
    type_into_cell(page, cell, "1 +")
    page.get_by_role("tab", name="流程图 (BPMN)").click()
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="problems"]')
    problem = page.locator('#problems li[data-file="clue_disposal.dmn"]')
    assert "输出单元格 1 + 不被沙箱接受" in problem.first.inner_text()

    page.get_by_role("tab", name="决策表 (DMN)").click()
    type_into_cell(page, cell, "1")
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="ok"]')


def test_form_editor_previews_the_schema_live(svc, users, login, live_server):
    version = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}["clue_handling"]
    page = login("designer")
    open_editor(page, live_server, version.version_id)
    page.get_by_role("tab", name="任务表单").click()
    page.locator("#form-file").select_option("forms/clue_handling/register_clue.json")
    preview = page.locator("#form-preview")
    expect(preview).to_contain_text("受理登记问题线索")
    expect(preview).to_contain_text("线索来源")
    expect(preview.locator(".field #f-source")).to_be_visible()  # rendered by the task pages' field macro
    schema = page.locator("#form-json").input_value()
    edited = schema.replace('"title": "线索来源"', '"title": "线索来源（新）"', 1)
    page.locator("#form-json").fill(edited)
    expect(preview).to_contain_text("线索来源（新）")
    page.locator("#form-json").fill("{ not json")
    expect(page.locator("#form-json-error")).to_contain_text("JSON 格式错误")
    page.locator("#form-json").fill(edited)
    expect(page.locator("#form-json-error")).to_be_hidden()
    page.locator("#new-form-name").fill("extra_review")
    page.locator("#btn-new-form").click()
    assert page.locator("#form-file").input_value() == "forms/clue_handling/extra_review.json"
    expect(preview).to_contain_text("意见")
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="ok"]')
    files_text = page.locator("#diff .diff-files").inner_text()
    assert "forms/clue_handling/register_clue.json" in files_text and "extra_review.json" in files_text


def test_uploaded_gbk_bpmn_from_another_tool_is_converted_loaded_and_checked(svc, users, login, live_server,
                                                                              tmp_path):
    version = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}["clue_handling"]
    text = (BPMN_DIR / "clue_handling.bpmn").read_text(encoding="utf-8").replace("初步甄别", "初步甄别（外部工具）")
    upload = tmp_path / "clue_handling.bpmn"
    upload.write_bytes(text.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk", "xmlcharrefreplace"))
    page = login("designer")
    open_editor(page, live_server, version.version_id)
    page.locator("#upload").set_input_files(str(upload))
    page.wait_for_selector("#notes li")
    assert "GBK" in page.locator("#notes").inner_text()
    page.evaluate("id => window.qfDesigner.select(id)", "screen_clue")
    assert page.locator("#qf-prop-name").input_value() == "初步甄别（外部工具）"
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="ok"]')
    assert "screen_clue" in page.locator("#diff .diff-group.changed").inner_text()


def test_designer_shows_and_edits_the_process_settings_and_deploys_them_as_a_version(svc, users, login, live_server):
    deployed = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}
    old_case = actions.start_case(svc, users["intake"], "clue_handling", "旧设置下的线索", {}).case_id
    page = login("designer")
    open_editor(page, live_server, deployed["clue_handling"].version_id)
    page.get_by_role("tab", name="流程设置").click()
    row = page.locator('#settings-editor tr[data-setting="talk_team_min"]')
    assert "谈话人员最少人数" in row.inner_text()
    row.locator("input").fill("3")
    leader = page.locator('#settings-editor tr[data-setting="leader_approval_disposals"]')
    leader.get_by_label("留存备查").uncheck()
    page.screenshot(path=str(ROOT / "test-output" / "designer-settings.png"))
    page.locator("#btn-check").click()
    page.wait_for_selector('#problems-panel[data-result="ok"]')
    page.locator("#deploy-comment").fill("谈话人员不少于3人；留存备查不报分管领导")
    page.locator("#btn-deploy").click()
    page.wait_for_url("**/designer/versions/*?deployed=1")
    page.wait_for_selector('#designer[data-ready="true"]', timeout=30_000)
    assert page.locator("#version-label").inner_text() == "第 2 版"

    new_case = actions.start_case(svc, users["intake"], "clue_handling", "新设置下的线索", {}).case_id
    with svc.db.read_session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "process_deployed",
                                                        AuditEvent.actor_name == "郑设计"))
    assert event.summary["settings_changed"]["talk_team_min"] == [2, 3]
    assert "留存备查" not in event.summary["settings_changed"]["leader_approval_disposals"][1]
    assert case_version(svc, old_case) == 1 and case_version(svc, new_case) == 2   # old case keeps v1 settings
