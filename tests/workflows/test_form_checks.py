"""Cross-field form checks (`x-checks`): contradictory submissions are refused, naming every field involved."""

from __future__ import annotations

import json

import pytest

from tests.workflows.bpmn_builder import bundle_files, linear, script_task, user_task
from workflows import form_checks
from workflows.engine import WorkflowEngine
from workflows.errors import SpecInvalid
from workflows.specs import load_bundle

FORM = {
    "type": "object",
    "properties": {"facts": {"type": "string"}, "untrue": {"type": "boolean"}, "team": {"type": "array"}},
    "x-checks": [
        {"when": "facts == '基本属实' and untrue", "fields": ["facts", "untrue"], "message": "结论相互矛盾"},
        {"when": "len(team) < team_min", "fields": ["team"], "message": "人数不足"},
    ],
}


def started(form: dict):
    files = bundle_files(linear(script_task('settings', 'team_min = 3'), user_task('report')),
                         **{'forms/t/form.json': json.dumps(form).encode()})
    bundle = load_bundle(files)
    engine = WorkflowEngine()
    wf = engine.start(bundle, {})
    task = engine.ready_human_tasks(wf)[0]
    return engine, wf, task, form_checks.declared(bundle.forms[task.form])


def test_contradicting_fields_are_both_named():
    engine, wf, task, checks = started(FORM)
    errors = engine.check_submission(wf, task.id, {"facts": "基本属实", "untrue": True, "team": [1, 2, 3]}, checks)
    assert errors == {"facts": ["结论相互矛盾"], "untrue": ["结论相互矛盾"]}


def test_a_check_reads_the_process_settings_as_well_as_the_submission():
    engine, wf, task, checks = started(FORM)
    assert engine.check_submission(wf, task.id, {"facts": "不属实", "untrue": True, "team": [1, 2]}, checks) == {
        "team": ["人数不足"]}
    assert engine.check_submission(wf, task.id, {"facts": "不属实", "untrue": True, "team": [1, 2, 3]}, checks) == {}


def test_checking_does_not_complete_or_change_the_task():
    engine, wf, task, checks = started(FORM)
    engine.check_submission(wf, task.id, {"facts": "基本属实", "untrue": True, "team": []}, checks)
    assert [t.id for t in engine.ready_human_tasks(wf)] == [task.id]
    assert "facts" not in engine.case_data(wf)


@pytest.mark.parametrize(("checks", "fragment"), [
    ([{"when": "__import__('os')", "fields": ["facts"], "message": "x"}], "沙箱"),
    ([{"when": "facts == 1", "fields": ["nope"], "message": "x"}], "nope"),
    ([{"when": "facts == 1"}], "when"),
    ({"when": "facts == 1"}, "列表"),
])
def test_broken_checks_are_refused_at_deployment(checks, fragment):
    form = {**FORM, "x-checks": checks}
    files = bundle_files(linear(user_task('report')), **{'forms/t/form.json': json.dumps(form).encode()})
    with pytest.raises(SpecInvalid) as caught:
        load_bundle(files)
    assert any(fragment in p.message for p in caught.value.problems)
