"""Finished history is pruned from the task tree at every dump, so state and step cost stay flat."""

from __future__ import annotations

import json

from tests.workflows.test_engine import loop_bundle
from workflows.engine import HISTORY_KEY, WorkflowEngine


def step(engine, bundle, state: dict, opinion: str) -> dict:
    wf = engine.restore(bundle, json.loads(json.dumps(state, ensure_ascii=False)))
    [task] = engine.ready_human_tasks(wf)
    engine.complete(wf, task.id, {"opinion": opinion})
    return engine.dump(wf)


def test_state_size_does_not_grow_with_a_thousand_loop_rounds():
    engine, bundle = WorkflowEngine(), loop_bundle()
    state = engine.dump(engine.start(bundle, {"limit": 5000}))
    sizes = {}
    for round_no in range(1, 1001):
        state = step(engine, bundle, state, f"第 {round_no} 轮复核意见：" + "情况属实。" * 20)
        if round_no in (10, 1000):
            sizes[round_no] = len(json.dumps(state, ensure_ascii=False).encode("utf-8"))
    assert sizes[1000] <= 50 * 1024
    assert sizes[1000] <= sizes[10] * 1.1
    assert len(state["tasks"]) < 20


def test_pruned_workflow_keeps_data_and_finishes_correctly():
    engine, bundle = WorkflowEngine(), loop_bundle()
    state = engine.dump(engine.start(bundle, {"limit": 300}))
    for round_no in range(1, 301):
        state = step(engine, bundle, state, f"第 {round_no} 轮意见")
    wf = engine.restore(bundle, state)
    assert engine.is_completed(wf)
    assert engine.case_data(wf)["n"] == 300 and engine.case_data(wf)["opinion"] == "第 300 轮意见"


def test_the_diagram_still_shows_steps_pruned_from_the_tree():
    engine, bundle = WorkflowEngine(), loop_bundle()
    state = engine.dump(engine.start(bundle, {"limit": 10}))
    state = step(engine, bundle, step(engine, bundle, state, "一"), "二")
    assert {"start", "init"} <= set(state[HISTORY_KEY])
    completed, active = engine.element_states(engine.restore(bundle, state))
    assert {"start", "init", "review", "count"} <= set(completed) and active == ["review"]
