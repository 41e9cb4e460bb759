"""Lock order of a completion on PostgreSQL: the case row first, then the work item, as every other action.

A claim locks the case and then writes the item. If a completion locked the item first, the two
would wait on each other and PostgreSQL would abort one of them as a deadlock. Skipped on SQLite,
where BEGIN IMMEDIATE serialises writers.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text, update

from service.cases import actions
from service.cases.errors import NotAllowed
from service.models import Case, WorkItem
from tests.conftest import database_url
from tests.service.helpers import approval_files, start_demo_case

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


def test_a_completion_waits_for_the_case_lock_before_it_locks_the_item(svc, users, api, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    with svc.db.read_session() as session:
        task_id = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case["id"],
                                                                WorkItem.completed_at.is_(None)))
    outcome: dict = {}

    def complete():
        try:
            actions.complete_task(svc, users["intake"], task_id, {"subject_name": "郝测试"})
            outcome["result"] = "completed"
        except Exception as exc:  # the assertion below names what happened
            outcome["result"] = exc

    with svc.db.write_session() as session:  # what claim_task does for another user: case, then item
        session.execute(select(Case.id).where(Case.id == case["id"]).with_for_update())
        worker = threading.Thread(target=complete)
        worker.start()
        _wait_until_blocked(svc)
        session.execute(update(WorkItem).where(WorkItem.task_id == task_id).values(assignee_id=users["admin"]))
    worker.join(timeout=30)
    # No deadlock: the claim committed, and the completion, once it had the case, saw the item claimed.
    assert isinstance(outcome.get("result"), NotAllowed), outcome
    assert outcome["result"].code == "claimed_by_other"
