"""The timer worker beats after every pass, tags its audit events with the pass id, and leaves cleanly."""

from __future__ import annotations

import threading

from sqlalchemy import select

from service.models import AuditEvent, WorkerHeartbeat
from service.timer_worker import run_loop
from tests.support.approval import approval_files, register, start_demo_case


def test_the_loop_beats_each_pass_tags_fired_events_and_removes_its_row_when_stopped(svc, api, deploy, clock):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    clock.advance(days=60)  # 拟办's deadline timer is due
    stop = threading.Event()
    seen: list[tuple[int, int]] = []

    def after_pass(_timeout):
        with svc.db.read_session() as session:
            row = session.scalar(select(WorkerHeartbeat).where(WorkerHeartbeat.name == "test-worker"))
            seen.append((row.passes, row.fired_cases))
            assert row.kind == "timer" and row.interval_seconds == 30 and row.beat_at == clock()
        if len(seen) == 2:
            stop.set()

    stop.wait = after_pass  # no real sleeping: two passes, then stop
    run_loop(svc, interval=30, stop=stop, name="test-worker")
    assert seen == [(1, 1), (2, 1)]  # the second pass found nothing more to fire
    with svc.db.read_session() as session:
        assert session.get(WorkerHeartbeat, "test-worker") is None
        [fired] = session.scalars(select(AuditEvent).where(AuditEvent.action == "timer_fired")).all()
        assert fired.request_id.startswith("timer-")
