"""The completion path's database work stays small and fixed (issue 7): what a request costs is mostly
its statements, so their number is checked here rather than timed (the timings live in bench/)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from service.cases import accounts, actions
from tests.support.approval import REGISTER_DATA, approval_files, only_task, start_demo_case


@contextmanager
def recorded(svc):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(svc.db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", record)


def _reading(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and f"FROM {table}" in s]


def _open_task(api, role: str, bpmn_id: str) -> str:
    return only_task(api(role), bpmn_id)["id"]


def test_a_completion_with_its_workflow_cached_runs_ten_statements(svc, users, api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    actions.complete_task(svc, users["intake"], _open_task(api, "intake", "register"), dict(REGISTER_DATA))
    task_id = _open_task(api, "handler", "propose")
    with recorded(svc) as statements:
        done = actions.complete_task(svc, users["handler"], task_id, {"disposal": "予以了结"})
    assert [t.bpmn_id for t in done.tasks] == ["approve"]
    # BEGIN, the actor, item+case+version+recusal (one locked join), open items, the actor's positions and acting
    # appointments (one union: who does the step is resolved against the case), close the item, open the next,
    # the case row, the audit chain's tail, the event, and whether someone may still sign the next approval level
    # (one statement; the answer says when the level waits for the principal's delegate). The handling
    # department's name comes with the locked join. No second read of the case, its state or its version.
    assert len(statements) <= 12, statements
    assert not _reading(statements, "process_versions"), statements
    assert not any(s.startswith("SELECT cases") for s in statements), statements


def test_a_cold_completion_reads_the_state_in_its_first_statement(svc, users, api, deploy):
    deploy(approval_files())
    start_demo_case(api)
    task_id = _open_task(api, "intake", "register")
    svc.workflows._items.clear()  # as if another worker process had served the case last
    with recorded(svc) as statements:
        actions.complete_task(svc, users["intake"], task_id, dict(REGISTER_DATA))
    assert sum("cases.state" in s for s in statements) == 1, statements


def test_a_complete_request_reads_the_user_once_and_answers_without_reading_the_case_again(app, svc, users, api,
                                                                                         deploy):
    deploy(approval_files())
    start_demo_case(api)
    token = accounts.issue_token(svc, users["intake"], "cost")
    task_id = _open_task(api, "intake", "register")
    client = app.test_client()
    with recorded(svc) as statements:
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": REGISTER_DATA},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    assert [t["bpmn_id"] for t in response.json["tasks"]] == ["propose"]
    assert len(_reading(statements, "users")) == 2, statements  # the token's user, then the actor in the action
    cases = _reading(statements, "cases")  # only the action's locked join of case and item
    assert len(cases) == 1 and "JOIN work_items" in cases[0], statements
    detail = client.get(f"/api/v1/cases/{response.json['id']}", headers={"Authorization": f"Bearer {token}"})
    assert response.json == detail.json
