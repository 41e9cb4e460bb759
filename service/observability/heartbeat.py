"""Timer-worker heartbeats: each worker rewrites its row after every pass; readiness and metrics read them."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from service.cases.runtime import Services
from service.models import WorkerHeartbeat

TIMER = "timer"
MIN_STALE_SECONDS = 60.0  # a heartbeat older than max(3 passes, this) means the worker is gone or stuck


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def beat(svc: Services, name: str, interval: float, started_at: datetime, fired_cases: int) -> None:
    """Record one finished pass of worker `name` (its own small transaction)."""
    with svc.db.write_session() as session:
        row = session.get(WorkerHeartbeat, name)
        if row is None:
            row = WorkerHeartbeat(name=name, kind=TIMER, started_at=started_at, passes=0, fired_cases=0)
            session.add(row)
        row.beat_at, row.interval_seconds = svc.now(), interval
        row.passes = (row.passes or 0) + 1
        row.fired_cases = (row.fired_cases or 0) + fired_cases


def forget(svc: Services, name: str) -> None:
    """Remove a worker's row when it stops cleanly (a crashed worker's row just goes stale)."""
    with svc.db.write_session() as session:
        session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


@dataclass(frozen=True)
class TimerWorkers:
    alive: int  # workers whose last heartbeat is recent
    known: int  # rows, including stale ones of crashed workers
    freshest_age_seconds: float | None  # age of the newest heartbeat, None when no worker ever beat


def timer_workers(session, now: datetime) -> TimerWorkers:
    rows = session.execute(select(WorkerHeartbeat.beat_at, WorkerHeartbeat.interval_seconds)
                           .where(WorkerHeartbeat.kind == TIMER)).all()
    ages = [((now - beat_at).total_seconds(), interval) for beat_at, interval in rows]
    alive = sum(1 for age, interval in ages if age <= max(3 * interval, MIN_STALE_SECONDS))
    return TimerWorkers(alive, len(rows), min((age for age, _ in ages), default=None))
