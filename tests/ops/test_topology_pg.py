"""The documented scale-out topology, for real: two service processes (on different ports, as on two hosts)
and three timer workers on one PostgreSQL database.

Cases are driven alternately through both services: each case is started on one, its first task
claimed on one service and completed on the other; the completion sets a reminder a few seconds
ahead, which one of the three timer workers fires; then the follow-up task of every case is
completed twice at the same moment, once through each service, and exactly one of the two wins.
Afterwards every case, work item, audit chain and timer is checked (each timer fired exactly once).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.e2e import free_port
from service.cases import audit
from service.models import AuditEvent, Case, Timer, WorkerHeartbeat, WorkItem
from tests.conftest import PASSWORD, database_url, read_files

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "topology"
CASES = 12
REMIND_AFTER = timedelta(seconds=3)
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,
    pytest.mark.skipif(not database_url().startswith("postgresql"), reason="needs PostgreSQL (several processes)"),
]


class Api:
    """One service process, reached over HTTP with a bearer token."""

    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}/api/v1", token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (local test server)
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def ready_task(self, case_id: int) -> dict | None:
        status, case = self.call("GET", f"/cases/{case_id}")
        assert status == 200, case
        return case["tasks"][0] if case["tasks"] else None


def login(port: int, username: str) -> str:
    """A bearer token from POST /api/v1/session on one of the services."""
    body = json.dumps({"username": username, "password": PASSWORD, "issue_token": True}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/session", data=body,  # noqa: S310
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (local test server)
        return json.loads(response.read())["token"]


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_until(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out: {what}")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def topology(svc, users, deploy, db_url, tmp_path):
    """Two `qingfeng serve --no-timers` processes and three `qingfeng run-timers` workers; stopped afterwards."""
    deploy(read_files(FIXTURE))
    svc.db.dispose()
    bpmn = tmp_path / "bpmn"  # what each start-up deploys: the test process again (a no-op when unchanged)
    shutil.copytree(FIXTURE, bpmn)
    env = {**os.environ, "DATABASE_URL": db_url, "QINGFENG_SECRET_KEY": "topology-test", "PYTHONPATH": str(ROOT),
           "QINGFENG_BPMN_DIR": str(bpmn)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    procs, ports = [], [free_port(), free_port()]
    try:
        for name, port in zip("ab", ports, strict=True):  # started together: their start-ups take turns
            procs.append(spawn(["serve", "--no-timers", "--port", str(port), "--workers", "2", "--threads", "2"],
                               env, tmp_path / f"service-{name}.log"))
        for name, port in zip("ab", ports, strict=True):
            wait_until(lambda port=port: healthy(port), 120, f"service {name}")
        for n in range(3):
            procs.append(spawn(["run-timers", "--interval", "0.3"], env, tmp_path / f"timers-{n}.log"))
        yield ports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        statuses = []
        for proc in procs:
            try:
                statuses.append(proc.wait(timeout=60))
            except subprocess.TimeoutExpired:
                proc.kill()
                statuses.append("killed")
        logs = {p.name: p.read_text()[-1500:] for p in tmp_path.glob("*.log")}
        assert statuses == [0] * len(procs), logs
        assert not any("Traceback" in text for text in logs.values()), logs


def test_two_services_and_three_timer_workers_on_one_database_agree_on_every_case(svc, users, topology):
    token = login(topology[0], "handler")  # the services run on the real clock, unlike the test's `svc`
    a, b = (Api(port, token) for port in topology)
    services = (a, b)

    # Start cases alternately on the two services.
    case_ids = []
    for i in range(CASES):
        status, case = services[i % 2].call("POST", "/cases", {"process_key": "topology", "title": f"多实例 {i}",
                                                               "data": {}})
        assert status == 201, case
        case_ids.append(case["id"])

    # Claim on one service, complete on the other; cases run concurrently, split across both.
    def claim_and_complete(i: int) -> None:
        first, second = services[i % 2], services[(i + 1) % 2]
        task = first.ready_task(case_ids[i])
        assert task["bpmn_id"] == "review"
        status, body = first.call("POST", f"/tasks/{task['id']}/claim")
        assert status == 200, body
        remind_at = (datetime.now(UTC) + REMIND_AFTER).isoformat()
        status, body = second.call("POST", f"/tasks/{task['id']}/complete", {"data": {"remind_at": remind_at}})
        assert status == 200, body
        assert [t["bpmn_id"] for t in body["tasks"]] == ["wait"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(claim_and_complete, range(CASES)))

    # The timer workers fire every reminder: each case moves from 等待提醒 to 跟进.
    def all_reminded():
        tasks = [services[i % 2].ready_task(case_id) for i, case_id in enumerate(case_ids)]
        return tasks if all(t is not None and t["bpmn_id"] == "follow" for t in tasks) else None

    follow_tasks = wait_until(all_reminded, 90, "every reminder fired")

    # Complete each follow-up twice at once, through each service: exactly one wins.
    barrier = threading.Barrier(2)

    def race(args) -> list[int]:
        task, api = args
        barrier.wait(timeout=30)
        return api.call("POST", f"/tasks/{task['id']}/complete", {"data": {"note": "已跟进"}})[0]

    for task in follow_tasks:
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(race, [(task, a), (task, b)]))
        assert statuses == [200, 409], statuses

    with svc.db.read_session() as session:
        cases = session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)).all()
        assert [(c.status, c.outcome) for c in cases] == [("completed", "已跟进")] * CASES
        assert session.scalars(select(Timer)).all() == []
        for case_id in case_ids:
            items = session.execute(select(WorkItem.bpmn_id, WorkItem.resolution).where(WorkItem.case_id == case_id)
                                    .order_by(WorkItem.id)).all()
            assert [tuple(i) for i in items] == [("review", "completed"), ("wait", "cancelled"),
                                                 ("follow", "completed")]
            events = session.scalars(select(AuditEvent).where(AuditEvent.chain == audit.case_chain(case_id))
                                     .order_by(AuditEvent.seq)).all()
            assert [e.action for e in events] == ["case_started", "task_claimed", "task_completed", "timer_fired",
                                                  "task_completed"]
            assert all(e.request_id for e in events)
            assert events[3].request_id.startswith("timer-")
            assert audit.verify(session, audit.case_chain(case_id)).valid
        fired = session.scalars(select(WorkerHeartbeat.fired_cases)).all()
        assert len(fired) == 3 and sum(fired) == CASES  # each timer fired once, by one of the three workers
