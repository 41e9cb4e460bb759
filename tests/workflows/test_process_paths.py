"""Engine-level runner for every process scenario (tests/scenarios/*.py).

For each scenario: build the process bundle from bpmn/, start a case with an injected clock, and for
every step dump the workflow state, round-trip it through JSON (ensure_ascii=False) and restore it
before acting, so every step also proves the state survives persistence. `Expect` checks the ready
human tasks, `Do` completes the single ready task with that bpmn id after checking its role and
validating the data against the task's form, `Wait`
moves the clock and fires due timers. At the end the outcome and the requested linked cases are checked.
Finally, for every process the scenarios together must take every sequence flow of its BPMN.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from lxml import etree
from SpiffWorkflow.util.task import TaskState

from tests.scenarios import Do, Expect, Refused, Scenario, Wait, all_scenarios
from tests.support.cadre_history import records_for
from workflows import form_checks
from workflows.engine import WorkflowEngine
from workflows.reserved import CADRE_RECORDS
from workflows.specs import collect_sources, load_bundle

SHANGHAI = ZoneInfo("Asia/Shanghai")

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SCENARIOS = all_scenarios()
_BUNDLES: dict[str, object] = {}
_RUNS: dict[str, tuple] = {}
# The scenarios of a process must together take every sequence flow of its BPMN.
FULL_FLOW_COVERAGE = tuple(sorted({scenario.process_key for scenario in SCENARIOS.values()}))
BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}


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


def check_form(engine: WorkflowEngine, wf, task_id: str, bundle, step: Do, where: str) -> None:
    """The submitted data must satisfy the task's JSON Schema form as the service requires it: valid
    against the schema (with formats) and no fields the form does not have (unless the form allows them)."""
    info = bundle.tasks.get(step.task)
    schema = bundle.forms.get(info.form) if info is not None and info.form else None
    if schema is None:
        assert not step.data, f"{where}: the task has no form but the step submits data"
        return
    if schema.get("additionalProperties", False) is not True:
        unknown = sorted(set(step.data) - set(schema.get("properties", {})))
        assert not unknown, f"{where}: form {info.form} has no fields {unknown}"
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(step.data), key=lambda e: list(map(str, e.path)))
    assert not errors, f"{where}: form {info.form}: {[e.message for e in errors]}"
    refused = engine.check_submission(wf, task_id, dict(step.data), form_checks.declared(schema))
    assert not refused, f"{where}: form {info.form} x-checks: {refused}"


def run_scenario(scenario: Scenario):
    """Run a scenario; return (engine, workflow at the end, sequence flows taken on the way)."""
    bundle = bundle_for(scenario.process_key)
    clock = Clock(scenario.start_time())
    engine = WorkflowEngine(clock=clock)
    wf = engine.start(bundle, {**scenario.case_data, "title": scenario.title or scenario.process_key,
                               "settings": {**bundle.settings, **scenario.settings}})
    taken: set[tuple[str, str]] = set()
    for number, step in enumerate(scenario.steps, 1):
        where = f"step {number} {step!r}"
        taken |= taken_flows(wf)  # before the dump prunes finished history from the tree
        wf = round_trip(engine, bundle, wf)
        if isinstance(step, Expect):
            assert ready_ids(engine, wf) == sorted(step.ready), where
        elif isinstance(step, Do):
            matching = [t for t in engine.ready_human_tasks(wf) if t.bpmn_id == step.task]
            assert len(matching) == 1, f"{where}: ready tasks are {ready_ids(engine, wf)}"
            task = matching[0]
            assert task.role == step.role, f"{where}: task role is {task.role}"
            check_form(engine, wf, task.id, bundle, step, where)
            data = dict(step.data)
            info = bundle.tasks.get(step.task)
            if (bundle.forms.get(info.form) or {}).get("x-reads") == CADRE_RECORDS:  # as the service reads them
                data[CADRE_RECORDS] = records_for(engine.case_data(wf), scenario.history,
                                                  clock.value.astimezone(SHANGHAI).date())
            engine.complete(wf, task.id, data)
        elif isinstance(step, Refused):
            matching = [t for t in engine.ready_human_tasks(wf) if t.bpmn_id == step.task]
            assert len(matching) == 1, f"{where}: ready tasks are {ready_ids(engine, wf)}"
            info = bundle.tasks.get(step.task)
            schema = bundle.forms.get(info.form) if info is not None and info.form else None
            refused = engine.check_submission(wf, matching[0].id, dict(step.data), form_checks.declared(schema))
            assert sorted(refused) == sorted(step.fields), f"{where}: refused {refused}"
        elif isinstance(step, Wait):
            until = datetime.fromisoformat(step.until)
            assert until >= clock.value, f"{where}: the clock cannot go back"
            clock.value = until
            engine.fire_due_timers(wf)
        else:  # pragma: no cover - a malformed scenario
            raise AssertionError(f"{where}: unknown step type")
    taken |= taken_flows(wf)
    wf = round_trip(engine, bundle, wf)
    return engine, wf, taken


def run_cached(name: str):
    """run_scenario once per scenario per test session (the flow-coverage test reuses the runs)."""
    if name not in _RUNS:
        _RUNS[name] = run_scenario(SCENARIOS[name])
    return _RUNS[name]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario(name: str):
    scenario = SCENARIOS[name]
    engine, wf, _taken = run_cached(name)
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


def taken_flows(wf) -> set[tuple[str, str]]:
    """(source, target) bpmn id pairs the workflow went through (hidden engine tasks are skipped)."""
    pairs = set()
    states = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.CANCELLED
    for task in wf.get_tasks(state=states):
        target = task.task_spec.bpmn_id
        parent = task.parent
        while parent is not None and parent.task_spec.bpmn_id in (None, target):
            parent = parent.parent
        if target and parent is not None:
            pairs.add((parent.task_spec.bpmn_id, target))
    return pairs


@pytest.mark.parametrize("key", FULL_FLOW_COVERAGE)
def test_scenarios_take_every_sequence_flow(key: str):
    process = etree.parse(str(BPMN_DIR / f"{key}.bpmn")).getroot().find("bpmn:process", BPMN_NS)
    flows = {
        f.get("id"): (f.get("sourceRef"), f.get("targetRef")) for f in process.iterfind("bpmn:sequenceFlow", BPMN_NS)
    }
    taken = set()
    for name, scenario in SCENARIOS.items():
        if scenario.process_key == key:
            taken |= run_cached(name)[2]
    missing = sorted(fid for fid, pair in flows.items() if pair not in taken)
    assert not missing, f"sequence flows no scenario takes: {missing}"
