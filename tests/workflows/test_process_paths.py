"""Engine-level runner for every process scenario (tests/scenarios/*.py).

For each scenario: build the process bundle from bpmn/, start a case with an injected clock, and for
every step dump the workflow state, round-trip it through JSON (ensure_ascii=False) and restore it
before acting, so every step also proves the state survives persistence. `Expect` checks the ready
human tasks, `Do` completes the single ready task with that bpmn id after checking its role and
validating the data against the task's form, `Wait`
moves the clock and fires due timers. At the end the outcome and the requested linked cases are checked.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from tests.scenarios import Do, Expect, Scenario, Wait, all_scenarios
from workflows.engine import WorkflowEngine
from workflows.specs import collect_sources, load_bundle

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SCENARIOS = all_scenarios()
_BUNDLES: dict[str, object] = {}


def bundle_for(key: str):
    if key not in _BUNDLES:
        _BUNDLES[key] = load_bundle(collect_sources(BPMN_DIR, key))
    return _BUNDLES[key]


class Clock:
    """A settable clock for the engine (aware datetimes)."""

    def __init__(self, start: datetime):
        self.value = start

    def __call__(self) -> datetime:
        return self.value


def round_trip(engine: WorkflowEngine, bundle, wf):
    text = json.dumps(engine.dump(wf), ensure_ascii=False)
    return engine.restore(bundle, json.loads(text))


def ready_ids(engine: WorkflowEngine, wf) -> list[str]:
    return sorted(t.bpmn_id for t in engine.ready_human_tasks(wf))


def check_form(bundle, step: Do, where: str) -> None:
    """The submitted data must satisfy the task's JSON Schema form, as the service would require."""
    info = bundle.tasks.get(step.task)
    schema = bundle.forms.get(info.form) if info is not None and info.form else None
    if schema is None:
        return
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(step.data), key=lambda e: list(e.path))
    assert not errors, f"{where}: form {info.form}: {[e.message for e in errors]}"


def run_scenario(scenario: Scenario):
    """Run a scenario and return (engine, workflow) at the end."""
    bundle = bundle_for(scenario.process_key)
    clock = Clock(scenario.start_time())
    engine = WorkflowEngine(clock=clock)
    wf = engine.start(bundle, dict(scenario.start_data))
    for number, step in enumerate(scenario.steps, 1):
        where = f"step {number} {step!r}"
        wf = round_trip(engine, bundle, wf)
        if isinstance(step, Expect):
            assert ready_ids(engine, wf) == sorted(step.ready), where
        elif isinstance(step, Do):
            matching = [t for t in engine.ready_human_tasks(wf) if t.bpmn_id == step.task]
            assert len(matching) == 1, f"{where}: ready tasks are {ready_ids(engine, wf)}"
            task = matching[0]
            assert task.role == step.role, f"{where}: task role is {task.role}"
            assert task.due_error is None, f"{where}: {task.due_error}"
            check_form(bundle, step, where)
            engine.complete(wf, task.id, dict(step.data))
        elif isinstance(step, Wait):
            until = datetime.fromisoformat(step.until)
            assert until >= clock.value, f"{where}: the clock cannot go back"
            clock.value = until
            engine.fire_due_timers(wf)
        else:  # pragma: no cover - a malformed scenario
            raise AssertionError(f"{where}: unknown step type")
    wf = round_trip(engine, bundle, wf)
    return engine, wf


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name: str):
    scenario = SCENARIOS[name]
    engine, wf = run_scenario(scenario)
    if scenario.outcome is None:
        assert not engine.is_completed(wf), "the case should still be open"
    else:
        assert engine.is_completed(wf), f"the case is still open at {ready_ids(engine, wf)}"
        assert engine.outcome(wf) == scenario.outcome
    requests = engine.case_requests(wf)
    requested = sorted(value.get("process_key") for value in requests.values())
    assert requested == sorted(scenario.links), requests
    for value in requests.values():
        assert value.get("title"), value
        assert isinstance(value.get("data"), dict), value


def test_every_scenario_names_a_known_process():
    for name, scenario in SCENARIOS.items():
        assert (BPMN_DIR / f"{scenario.process_key}.bpmn").is_file(), name
