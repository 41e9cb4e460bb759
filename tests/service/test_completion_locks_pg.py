"""A completion racing other actions on the same case, on PostgreSQL (skipped on SQLite, where
BEGIN IMMEDIATE serialises writers and every read sees the last commit).

- Lock order: the case row first, then the work item, as every other action. A claim locks the case
  and then writes the item; a completion that locked the item first deadlocked with it.
- Checks after the lock: a statement that waited for a row lock sees other tables as they were when
  it started, so a recusal committed during the wait must still stop the completion.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text, update

from service.cases import actions
from service.cases.errors import NotAllowed
from service.models import Case, Recusal, WorkItem
from tests.conftest import database_url
from tests.support.approval import REGISTER_DATA, approval_files, start_demo_case

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not database_url().startswith("postgresql"), reason="needs PostgreSQL row locks"),
]


def _wait_until_blocked(svc, timeout: float = 10.0) -> None:
    """Poll until another backend of this database waits for a row lock (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    with svc.db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar()
            if waiting:
                return
            conn.rollback()
            time.sleep(0.01)
    raise AssertionError("the completion never waited for the case lock")


def _race(svc, users, api, deploy, write_while_completion_waits) -> object:
    """Hold the case lock, let a completion of its open task start and wait for it, write, commit;
    returns what the completion ended with (an exception, or "completed")."""
    deploy(approval_files())
    case = start_demo_case(api)
    with svc.db.read_session() as session:
        task_id = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case["id"],
                                                                WorkItem.completed_at.is_(None)))
    outcome: dict = {}

    def complete():
        try:
            actions.complete_task(svc, users["intake"], task_id, dict(REGISTER_DATA))
            outcome["result"] = "completed"
        except Exception as exc:  # the caller's assertion names what happened
            outcome["result"] = exc

    with svc.db.write_session() as session:
        session.execute(select(Case.id).where(Case.id == case["id"]).with_for_update())
        worker = threading.Thread(target=complete)
        worker.start()
        _wait_until_blocked(svc)
        write_while_completion_waits(session, case["id"], task_id)
    worker.join(timeout=30)
    return outcome.get("result")


def test_a_completion_waits_for_the_case_lock_before_it_locks_the_item(svc, users, api, deploy):
    def claim_for_another_user(session, _case_id, task_id):  # what claim_task does: case, then item
        session.execute(update(WorkItem).where(WorkItem.task_id == task_id).values(assignee_id=users["admin"]))

    result = _race(svc, users, api, deploy, claim_for_another_user)
    # No deadlock: the claim committed, and the completion, once it had the case, saw the item claimed.
    assert isinstance(result, NotAllowed) and result.code == "claimed_by_other", result


def test_a_recusal_committed_while_a_completion_waits_stops_it(svc, users, api, deploy):
    def recuse_the_completer(session, case_id, _task_id):
        session.add(Recusal(case_id=case_id, user_id=users["intake"], reason="亲属关系", decided_by_id=users["admin"],
                            created_at=svc.now()))

    result = _race(svc, users, api, deploy, recuse_the_completer)
    assert isinstance(result, NotAllowed) and result.code == "recused", result
