"""Several timer workers on PostgreSQL: separate processes (`python -c`) against the test database.

Skipped on SQLite, where the write transaction already serialises workers; CI runs these on
PostgreSQL. Each worker process builds its own app with a fixed clock from the environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.cases import actions
from service.models import AuditEvent, Timer, WorkItem
from service.timer_worker import run_once
from tests.conftest import database_url
from tests.support.approval import REGISTER_DATA, approval_files

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not database_url().startswith("postgresql"), reason="needs PostgreSQL (SKIP LOCKED)"),
]
ROOT = Path(__file__).resolve().parents[2]
AFTER_DUE = "2026-03-10T09:00:00+08:00"

WORKER = textwrap.dedent("""
    import os, sys, time
    from datetime import datetime
    from service import create_app
    from service.config import Config
    from service.timer_worker import run_once

    moment = datetime.fromisoformat(os.environ["QF_CLOCK"])
    config = Config.from_env(DATABASE_URL=os.environ["QF_DB"], SECRET_KEY="worker", TESTING=True)
    svc = create_app(config, clock=lambda: moment).extensions["qingfeng"]
    gate = os.environ.get("QF_GATE")
    while gate and not os.path.exists(gate):   # start all workers at the same moment
        time.sleep(0.005)
    hook = None
    if os.environ.get("QF_HOLD"):
        def hook(case_id):
            print(f"locked {case_id}", flush=True)
            time.sleep(600)                    # hold the locks until the test kills this process
    print(f"fired {run_once(svc, limit=1000, before_commit=hook)}", flush=True)
""")


def worker(db_url: str, **env) -> subprocess.Popen:
    environment = {**os.environ, "QF_DB": db_url, "QF_CLOCK": AFTER_DUE, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def make_due_cases(svc, users, count: int) -> list[int]:
    """`count` approval-demo cases waiting at `propose`, each with one boundary timer."""
    case_ids = []
    for n in range(count):
        case_id = actions.start_case(svc, users["intake"], "approval_demo", f"举报{n}", {}).case_id
        with svc.db.read_session() as session:
            register = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case_id,
                                                                     WorkItem.completed_at.is_(None)))
        actions.complete_task(svc, users["intake"], register, dict(REGISTER_DATA))
        case_ids.append(case_id)
    return case_ids


def fire_counts(svc) -> dict[int, int]:
    with svc.db.read_session() as session:
        rows = session.execute(select(AuditEvent.case_id, func.count(AuditEvent.id))
                               .where(AuditEvent.action == "timer_fired").group_by(AuditEvent.case_id)).all()
    return dict(rows)


@pytest.mark.slow
def test_three_workers_started_together_fire_each_of_200_timers_exactly_once(svc, users, deploy, db_url, tmp_path):
    deploy(approval_files())
    case_ids = make_due_cases(svc, users, 200)
    gate = tmp_path / "go"
    procs = [worker(db_url, QF_GATE=str(gate)) for _ in range(3)]
    time.sleep(1.0)                                             # let them import and connect
    gate.touch()
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in outputs]
    fired = [int(out.split()[-1]) for out, _err in outputs]
    print("fired per worker:", fired)
    assert sum(fired) == 200
    counts = fire_counts(svc)
    assert sum(counts.values()) == 200 and set(counts) == set(case_ids) and set(counts.values()) == {1}
    with svc.db.read_session() as session:
        assert session.scalar(select(func.count(Timer.id))) == 0


def test_a_worker_killed_after_locking_and_before_commit_fires_nothing_and_the_timer_fires_once_later(
        svc, users, deploy, db_url, clock):
    deploy(approval_files())
    [case_id] = make_due_cases(svc, users, 1)
    clock.set(AFTER_DUE)
    held = worker(db_url, QF_HOLD="1")
    line = held.stdout.readline()                               # the worker has fired, inside its transaction
    assert line.strip() == f"locked {case_id}", held.stderr.read() if not line else line
    assert run_once(svc) == 0                                   # locked rows are skipped, never waited for
    os.kill(held.pid, signal.SIGKILL)
    held.wait(timeout=30)
    deadline = time.monotonic() + 30
    fired = 0
    while not fired and time.monotonic() < deadline:           # the server notices the dead connection
        fired = run_once(svc)
        if not fired:
            time.sleep(0.1)
    assert fired == 1
    assert fire_counts(svc) == {case_id: 1}
    assert run_once(svc) == 0 and fire_counts(svc) == {case_id: 1}
