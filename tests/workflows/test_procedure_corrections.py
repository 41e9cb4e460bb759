"""The procedure corrections of issue 15 §2, each driven through the engine with the real processes.

Corrections 1, 3 (table side) and 13 have their own tables' tests (test_dmn_tolerance_decision, test_dmn,
test_dmn_impact_period, test_dmn_revisit_due, test_calendar); 6, 7, 11 are also scenarios
(tests/scenarios/clue_handling.py) that both runners drive. Here: what a scenario's outcome cannot show.
"""

from __future__ import annotations

import dataclasses

from tests.scenarios import Expect, Scenario
from tests.scenarios import clue_handling as clue
from tests.scenarios import fault_tolerance as ft
from tests.scenarios import integrity_opinion as io
from tests.workflows.test_process_paths import bundle_for, ready_ids, run_scenario


def prefix(scenario: Scenario, steps: int) -> Scenario:
    """The scenario cut after its first `steps` steps (still open)."""
    return dataclasses.replace(scenario, steps=scenario.steps[:steps], outcome=None)


def until(scenario: Scenario, task: str) -> Scenario:
    """The scenario up to (excluding) the first step that completes or expects `task`."""
    for number, step in enumerate(scenario.steps):
        if getattr(step, "task", None) == task or (isinstance(step, Expect) and task in step.ready):
            return prefix(scenario, number)
    raise AssertionError(f"no step for {task}")


def test_a_reopened_clue_no_longer_shows_its_old_outcome():
    """Correction 12: after an objection with new evidence the clue is worked again without its old result."""
    scenario = clue.SCENARIOS["feedback_objection_reopens"]
    reopened = next(i for i, s in enumerate(scenario.steps) if isinstance(s, Expect) and s.ready == ("analyse_clue",))
    engine, wf, _ = run_scenario(prefix(scenario, reopened + 1))
    data = engine.case_data(wf)
    assert ready_ids(engine, wf) == ["analyse_clue"]
    assert engine.outcome(wf) is None
    assert data["previous_outcome"] == "予以了结"
    assert data["closed_date"] is None


def test_the_inquiry_reply_is_due_fifteen_working_days_after_receipt_not_sending():
    """Correction 6: sent 2026-03-02, received 2026-03-09 → due at the end of 2026-03-30."""
    scenario = clue.SCENARIOS["inquiry_letter_received_a_week_after_sending"]
    engine, wf, _ = run_scenario(until(scenario, "record_letter_reply"))
    reply = next(t for t in engine.ready_human_tasks(wf) if t.bpmn_id == "record_letter_reply")
    assert reply.due_at.startswith("2026-03-30T23:59:59")


def test_integrity_opinion_reads_the_impact_period_without_asking_the_handler():
    """A 警告 in force on the cadre record → 不宜提拔任用, its last day in the basis; the check form asks nothing
    about sanctions, 影响期, clues or 立案 (the service reads the record: `x-reads: cadre_records`)."""
    engine, wf, _ = run_scenario(until(io.SCENARIOS["in_impact_period_not_suitable"], "draft_reply"))
    data = engine.case_data(wf)
    assert (data["in_impact_period"], data["reply_type"]) == (True, "不宜提拔任用")
    assert data["reply_basis"] == "受党内警告（2025-06-10生效，影响期至2026-06-09），尚在影响期内"
    form = bundle_for("integrity_opinion").forms["forms/integrity_opinion/check_records.json"]
    assert form["x-reads"] == "cadre_records"
    assert set(form["properties"]) == {"checked_sources", "check_notes"}


def test_integrity_opinion_after_the_impact_period_says_the_sanction_expired():
    engine, wf, _ = run_scenario(until(io.SCENARIOS["expired_sanction_no_obstacle"], "draft_reply"))
    data = engine.case_data(wf)
    assert (data["in_impact_period"], data["reply_type"]) == (False, "暂未发现影响提拔任用的问题")
    assert "影响期已于2025-06-09届满" in data["reply_basis"]
    assert "未发现相关问题线索和处分记录" not in data["reply_basis"]


def test_integrity_opinion_answers_each_candidate_of_one_letter():
    engine, wf, _ = run_scenario(until(io.SCENARIOS["several_candidates_each_answered"], "draft_reply"))
    data = engine.case_data(wf)
    assert [(r["name"], r["reply_type"]) for r in data["candidate_replies"]] == [
        ("郝测试", "不宜提拔任用"), ("孙演示", "不宜提拔任用"), ("钱样本", "暂未发现影响提拔任用的问题")]
    assert "于2026-01-05受诫勉，未满6个月" in data["candidate_replies"][1]["reply_basis"]
    assert data["reply_type"] == "已逐人答复" and data["reply_basis"].count("；") == 2


def test_a_recent_admonishment_no_longer_bars_promotion_after_the_set_months():
    """诫勉 within six months (a setting) → 不宜提拔; with the setting at 1 month it is past."""
    scenario = io.SCENARIOS["several_candidates_each_answered"]
    shorter = dataclasses.replace(scenario, start_data={**scenario.start_data, "settings": {"admonishment_months": 1}})
    engine, wf, _ = run_scenario(until(shorter, "draft_reply"))
    replies = {r["name"]: r["reply_type"] for r in engine.case_data(wf)["candidate_replies"]}
    assert replies["孙演示"] == "暂未发现影响提拔任用的问题"


def test_fault_tolerance_scenarios_keep_waived_and_not_pursued_apart():
    outcomes = {s.outcome for s in ft.SCENARIOS.values()}
    assert {"免予问责", "不予问责"} <= outcomes


def test_the_collective_decision_changes_the_result_and_the_rule_result_is_kept():
    """Correction 2: 集体研究 may change the 容错 result with a reason; the rule's result stays on record."""
    engine, wf, _ = run_scenario(ft.SCENARIOS["collective_changes_the_result_with_a_reason"])
    data = engine.case_data(wf)
    assert (data["rule_result"], data["tolerance_result"], engine.outcome(wf)) == ("免予问责", "从轻减轻问责",
                                                                                     "从轻减轻问责")
    assert data["result_changed_by_collective"] is True
    assert data["tolerance_level"] == "部分容错"
    assert data["collective_change_reason"].startswith("试点中多拨补贴")
