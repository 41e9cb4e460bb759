"""Issue 11 points 3, 4 and 10 (engine side) through the HTTP API, the timer path and the CLI.

A process that would stall the engine is refused by every deployment path; one that slips past the
static checks is stopped by the run bound with a 422 naming the element, and the transaction is
rolled back (no case row, the SQLite write lock released at once).  Data that is not plain JSON
(NaN, Infinity, a function made by a script) is a 422, never stored; a failing deadline is a 422.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from service.cases import actions, forms
from service.cases.errors import InvalidInput
from service.cli import main
from service.models import AuditEvent, Case, ProcessVersion, WorkItem
from tests.workflows.bpmn_builder import script_task, user_task
from tests.workflows.stall_processes import SPIN as SPIN_NODE
from tests.workflows.stall_processes import WAITLESS_LOOPS, graph, spin, timer_on_task, with_script

# The three processes of the issue, and variants of each class.
STALLING = {
    **{f'loop: {name}': files for name, files in WAITLESS_LOOPS.items()},
    'cycle R/PT0S': timer_on_task('timeCycle', '"R/PT0S"', interrupting=False),
    'cycle R/PT10S': timer_on_task('timeCycle', '"R/PT10S"', interrupting=False),
    'duration P99999999999Y': timer_on_task('timeDuration', '"P99999999999Y"'),
    'duration PT99999999999S': timer_on_task('timeDuration', '"PT99999999999S"'),
    'date 9999-12-31': timer_on_task('timeDate', '"9999-12-31T00:00:00"'),
}


def count(svc, model) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(func.count()).select_from(model))


def post_files(client, path: str, files: dict[str, bytes]):
    data = {"files": [(io.BytesIO(body), name) for name, body in files.items()], "comment": ""}
    return client.client.post(f"/api/v1{path}", data=data, content_type="multipart/form-data")


def assert_write_lock_free(svc) -> None:
    """Another connection can take the write lock (SQLite) / can log in at once."""
    url = svc.config.DATABASE_URL
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.rollback()
        finally:
            conn.close()


def login_works(app) -> None:
    started = time.perf_counter()
    response = app.test_client().post("/api/v1/session", json={"username": "handler", "password": "qingfeng-demo"})
    assert response.status_code == 200, response.json
    assert time.perf_counter() - started < 2


# ---- static: every deployment path refuses them ----

@pytest.mark.parametrize("name", sorted(STALLING))
@pytest.mark.parametrize("path", ["/process-definitions/check", "/process-definitions/deploy", "/process-definitions"])
def test_every_deployment_path_refuses_a_stalling_process(api, svc, name, path):
    response = post_files(api("designer"), path, STALLING[name])
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid_process"
    assert any(p.get("element_id") for p in response.json["errors"]["problems"]), response.json
    assert count(svc, ProcessVersion) == 0


def test_deploy_processes_cli_refuses_a_stalling_process(svc, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", svc.config.DATABASE_URL)
    monkeypatch.setenv("QINGFENG_SECRET_KEY", "test-secret")
    for name, body in STALLING["cycle R/PT0S"].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(body)
    result = CliRunner().invoke(main, ["deploy-processes", "--dir", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "timer" in result.stderr and "短于下限" in result.stderr
    assert count(svc, ProcessVersion) == 0


# ---- dynamic: what slips past is stopped and rolled back ----

def test_a_loop_that_slips_past_the_checks_is_422_naming_the_element_and_rolled_back(app, api, svc, deploy):
    deploy(spin())
    started = time.perf_counter()
    response = api("intake").post("/cases", {"process_key": "p", "title": "空转", "data": {}})
    assert response.status_code == 422, response.json
    assert response.json["code"] == "process_run_limit" and "spin" in response.json["message"]
    assert time.perf_counter() - started < 15
    assert count(svc, Case) == 0 and count(svc, WorkItem) == 0
    with svc.db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id.is_not(None))) == 0
    assert_write_lock_free(svc)
    login_works(app)


def test_a_timer_firing_is_bounded_and_leaves_the_case_as_it_was(api, svc, deploy, clock):
    deploy(graph(script_task('b', 'n = 100000') + '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>'
                 '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>'
                 '</bpmn:intermediateCatchEvent>' + SPIN_NODE + user_task('u') + '<bpmn:endEvent id="end" />',
                 [('start', 'b'), ('b', 't'), ('t', 'spin'), ('spin', 'u'), ('u', 'end')]))
    case = api("intake").post("/cases", {"process_key": "p", "title": "定时", "data": {}}).json
    with svc.db.read_session() as session:
        before = session.get(Case, case["id"]).version
    clock.advance(hours=2)
    with pytest.raises(InvalidInput, match="spin"):
        actions.fire_due_timers(svc, case["id"])
    with svc.db.read_session() as session:
        assert session.get(Case, case["id"]).version == before
    assert_write_lock_free(svc)


def test_a_timer_value_computed_from_data_is_held_to_the_bounds(api, svc, deploy):
    deploy(graph(script_task('b', 'years = 99999999999') + user_task('u') + '<bpmn:endEvent id="end" />'
                 '<bpmn:boundaryEvent id="timer" attachedToRef="u"><bpmn:timerEventDefinition><bpmn:timeDuration>'
                 'f"P{years}Y"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                 '<bpmn:endEvent id="late" />', [('start', 'b'), ('b', 'u'), ('u', 'end'), ('timer', 'late')]))
    response = api("intake").post("/cases", {"process_key": "p", "title": "定时", "data": {}})
    assert response.status_code == 422 and "timer" in response.json["message"], response.json
    assert count(svc, Case) == 0


# ---- point 10: not plain JSON, failing deadlines ----

NAN_BODIES = ['{"opinion": NaN}', '{"opinion": Infinity}', '{"opinion": -Infinity}', '{"opinion": [1, NaN]}']


@pytest.mark.parametrize("body", NAN_BODIES)
def test_nan_and_infinity_in_start_data_are_422_and_nothing_is_stored(api, svc, deploy, body):
    deploy(with_script('y = 1'))
    raw = f'{{"process_key": "p", "title": "NaN", "data": {body}}}'
    response = api("intake").client.post("/api/v1/cases", data=raw, content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert count(svc, Case) == 0


@pytest.mark.parametrize("body", NAN_BODIES)
def test_nan_and_infinity_in_task_data_are_422_and_the_case_reads_as_valid_json(api, svc, deploy, body):
    deploy(with_script('y = 1'))
    case = api("intake").post("/cases", {"process_key": "p", "title": "NaN", "data": {}}).json
    [task] = [t for t in api("handler").get("/tasks").json if t["case_id"] == case["id"]]
    raw = f'{{"data": {body}}}'
    response = api("handler").client.post(f"/api/v1/tasks/{task['id']}/complete", data=raw,
                                          content_type="application/json")
    assert response.status_code == 422, response.get_data(as_text=True)
    shown = api("handler").get(f"/cases/{case['id']}")
    assert shown.status_code == 200
    json.loads(shown.get_data(as_text=True), parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))
    assert [t["id"] for t in api("handler").get("/tasks").json if t["case_id"] == case["id"]] == [task["id"]]


@pytest.mark.parametrize("script", ["x = [len]", "x = {'a': [1, {'b': max}]}", "x = len", "x = 1e308 * 10"])
def test_a_script_producing_a_value_that_is_not_json_is_422_naming_the_element(api, svc, deploy, script):
    deploy(with_script(script))
    response = api("intake").post("/cases", {"process_key": "p", "title": "脚本", "data": {}})
    assert response.status_code == 422, response.json
    assert "make" in response.json["message"]
    assert count(svc, Case) == 0


@pytest.mark.parametrize("script", ["due = 'not a date'", "due = 12", "due = today() + 'x'"])
def test_a_failing_deadline_is_422_naming_the_task_instead_of_a_task_without_due_date(api, svc, deploy, script):
    deploy(with_script(script, props={"deadline": "due"}))
    response = api("intake").post("/cases", {"process_key": "p", "title": "期限", "data": {}})
    assert response.status_code == 422, response.json
    assert "u: 截止时间" in response.json["message"]
    assert count(svc, Case) == 0 and count(svc, WorkItem) == 0


# ---- point 4 through the API: bounded patterns, validated before the lock ----

PATTERN_FORM = json.dumps({"type": "object", "properties": {"opinion": {"type": "string", "pattern": "^(a|aa)+$"}}})


def test_a_catastrophic_pattern_is_answered_fast_and_validated_before_any_lock(api, svc, deploy, monkeypatch):
    deploy({**with_script('y = 1'), 'forms/t/form.json': PATTERN_FORM.encode()})
    case = api("intake").post("/cases", {"process_key": "p", "title": "正则", "data": {}}).json
    [task] = [t for t in api("handler").get("/tasks").json if t["case_id"] == case["id"]]
    validated = []
    original = forms.validate

    def checking_validate(schema, data, *rest):
        assert_write_lock_free(svc)       # nobody holds SQLite's write lock while the form is checked
        if svc.db.engine.dialect.name == "postgresql":
            with svc.db.engine.connect() as conn:   # nor the case row
                conn.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT"), {"id": case["id"]})
                conn.rollback()
        validated.append(True)
        return original(schema, data, *rest)

    monkeypatch.setattr(forms, "validate", checking_validate)
    started = time.perf_counter()
    response = api("handler").post(f"/tasks/{task['id']}/complete", {"data": {"opinion": "a" * 100_000 + "!"}})
    assert response.status_code == 422 and "opinion" in response.json["errors"], response.json
    assert time.perf_counter() - started < 2
    assert validated
    ok = api("handler").post(f"/tasks/{task['id']}/complete", {"data": {"opinion": "aaa"}})
    assert ok.status_code == 200, ok.json


def test_a_form_with_an_outside_reference_is_refused_by_the_designer(api, svc):
    files = {**with_script('y = 1'), 'forms/t/form.json': json.dumps(
        {"type": "object", "properties": {"opinion": {"$ref": "http://127.0.0.1:9/x.json"}}}).encode()}
    for path in ("/process-definitions/check", "/process-definitions"):
        response = post_files(api("designer"), path, files)
        assert response.status_code == 422, response.json
        assert any("只允许表单内部的引用" in p["message"] for p in response.json["errors"]["problems"])
    assert count(svc, ProcessVersion) == 0
