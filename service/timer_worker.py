"""The timer worker: fire due timers, once (cron) or in a loop, safely with several workers at once.

Each firing is one transaction that locks the due timer row and its case row together
(`FOR UPDATE ... SKIP LOCKED` on PostgreSQL, so workers never wait for or fire the same case), fires
every due timer of that case through the engine, refreshes the projections, appends the
`timer_fired` audit event and commits. A worker that dies before the commit leaves everything as
it was; the row stays due and the next pass fires it. On SQLite the write transaction
(BEGIN IMMEDIATE) already serialises workers. Timers fire only when the clock has passed their due
time, never early; late ones fire on the next pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import delete, select

from service.cases import request_ids
from service.cases.errors import CaseError
from service.cases.runtime import Services
from service.cases.timers import fire_locked_case_timers
from service.models import Case, Timer
from service.observability import heartbeat
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)
WORKER_NAME = "定时器"


def _claim_next(session, now, skip: set[int]) -> tuple[Timer, Case] | None:
    """Lock the earliest due timer whose case no other transaction holds, with its case."""
    query = (
        select(Timer, Case).join(Case, Case.id == Timer.case_id)
        .where(Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id).limit(1)
        .with_for_update(skip_locked=True, of=[Timer, Case])
    )
    if skip:
        query = query.where(Timer.case_id.not_in(skip))
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def fire_one(svc: Services, skip: set[int], before_commit: Callable[[int], None] | None = None
             ) -> tuple[int, list[str]] | None:
    """Fire the due timers of one case in one transaction: (case id, fired timer ids), or None when none is due."""
    with svc.db.write_session() as session:
        claimed = _claim_next(session, svc.now(), skip)
        if claimed is None:
            return None
        _timer, case = claimed
        skip.add(case.id)  # one visit per case and pass, even when the engine finds nothing due yet
        fired = fire_locked_case_timers(svc, session, case, WORKER_NAME)
        if case.status != "open":
            session.execute(delete(Timer).where(Timer.case_id == case.id))  # rows left by a closed case
        if before_commit is not None:
            before_commit(case.id)  # test hook: a worker killed here must change nothing
        return case.id, fired


def run_once(svc: Services, limit: int = 100, before_commit: Callable[[int], None] | None = None) -> int:
    """Fire due timers of up to `limit` cases; returns how many cases had timers fired."""
    skip: set[int] = set()
    fired = 0
    for _ in range(limit):
        try:
            result = fire_one(svc, skip, before_commit)
        except (CaseError, WorkflowError) as exc:
            # A broken case must not stop the others: log it; its timer stays due for the next pass.
            log.error("timer firing failed: %s", exc)
            continue
        if result is None:
            break
        fired += bool(result[1])
    return fired


def run_loop(svc: Services, interval: float = 30.0, stop: threading.Event | None = None,
             limit: int = 100, name: str | None = None) -> None:
    """Run passes every `interval` seconds until `stop` is set (a full pass repeats at once).

    After each pass the worker's heartbeat row is rewritten (readiness and metrics read it); it is
    removed when the loop stops. Each pass runs under its own id, which its audit events carry.
    """
    stop = stop or threading.Event()
    name = name or heartbeat.worker_name()
    started_at = svc.now()
    try:
        while not stop.is_set():
            token = request_ids.bind(request_ids.new("timer-"))
            try:
                count = run_once(svc, limit)
                heartbeat.beat(svc, name, interval, started_at, count)
            except Exception:  # keep the loop alive across database outages; the next pass retries
                log.exception("timer pass failed")
                count = 0
            finally:
                request_ids.reset(token)
            if count:
                log.info("fired timers of %d case(s)", count)
            if count < limit:
                stop.wait(interval)
    finally:
        try:
            heartbeat.forget(svc, name)
        except Exception:  # the database may be what is down; the row then just goes stale
            log.warning("could not remove heartbeat of %s", name)
