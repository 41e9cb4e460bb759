"""`qingfeng serve` in production: gunicorn for the web, the timer worker as its own process, one supervisor.

The supervisor (the `qingfeng serve` process itself) prepares the database, then starts
- gunicorn (`service:create_app()`, gthread workers; settings in `service/gunicorn_conf.py`), and
- the timer worker (`qingfeng run-timers`), restarted with a growing pause if it ever exits;
and stops both on SIGTERM or Ctrl-C (SIGINT) by sending each SIGTERM: gunicorn lets requests in
flight finish, the timer worker finishes its pass. If gunicorn itself exits, the supervisor stops
the worker and exits with gunicorn's status, so systemd (or whatever started it) sees the failure
and restarts the lot.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.pool import NullPool

log = logging.getLogger("qingfeng.server")
STOP_SECONDS = 40  # longer than gunicorn's graceful_timeout
MAX_RESTART_PAUSE = 30.0


def default_concurrency(database_url: str) -> tuple[int, int]:
    """(workers, threads) when not configured.

    SQLite has one writer at a time for the whole file, so more processes only queue on its lock:
    one process, with threads for concurrent reads and slow clients. PostgreSQL locks rows, so
    requests on different cases run in parallel: a process per core and one spare (the engine step is
    CPU work that threads of one process cannot run at once), each with a few threads, at most 8.
    """
    if database_url.startswith("sqlite"):
        return 1, 8
    return min(2 * (os.cpu_count() or 1) + 1, 8), 4


STARTUP_LOCK_KEY = 0x71_66_73_74  # "qfst": the advisory lock start-ups of every host take on PostgreSQL


@contextmanager
def startup_lock(database_url: str) -> Iterator[None]:
    """Serialise the start-up work (migrations, process deployment, demo data) of service processes that
    start together on several hosts: on PostgreSQL a session advisory lock, on SQLite (one host) nothing."""
    if database_url.startswith("sqlite"):
        yield
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    workers: int
    threads: int
    timers: bool
    timer_interval: float


def gunicorn_command(settings: ServeSettings) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf",
            "--bind", f"{settings.host}:{settings.port}", "--workers", str(settings.workers),
            "--threads", str(settings.threads), "service:create_app()"]


def timer_command(settings: ServeSettings) -> list[str]:
    return [sys.executable, "-m", "service.cli", "run-timers", "--interval", f"{settings.timer_interval:g}"]


class Supervisor:
    """Runs gunicorn and the timer worker until a signal or gunicorn's exit; returns the exit status."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        self.stopping = False
        self.web: subprocess.Popen | None = None
        self.timers: subprocess.Popen | None = None
        self.timer_restarts = 0
        self.env = dict(os.environ)

    def _signal(self, signum, _frame) -> None:
        if not self.stopping:
            log.info("stopping on signal %s", signal.Signals(signum).name)
        self.stopping = True

    def _start_timers(self) -> None:
        self.timers = self._spawn(timer_command(self.settings))
        log.info("timer worker started", extra={"worker_pid": self.timers.pid})

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        # Its own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops each
        # child with SIGTERM (a child hit by SIGINT while still importing would die with a traceback).
        return subprocess.Popen(command, env=self.env, process_group=0)  # noqa: S603

    def run(self) -> int:
        metrics_dir = self._metrics_dir()
        previous = {s: signal.signal(s, self._signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.web = self._spawn(gunicorn_command(self.settings))
            if self.settings.timers:
                self._start_timers()
            return self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if metrics_dir:
                shutil.rmtree(metrics_dir, ignore_errors=True)

    def _watch(self) -> int:
        pause, restart_at = 1.0, None
        while not self.stopping:
            status = self.web.poll()
            if status is not None:
                log.error("gunicorn exited with status %s", status)
                return status or 1
            if self.timers is not None and self.timers.poll() is not None and restart_at is None:
                log.error("timer worker exited with status %s; restarting in %.0f s", self.timers.returncode, pause)
                restart_at = time.monotonic() + pause
            if restart_at is not None and time.monotonic() >= restart_at:
                self._start_timers()
                self.timer_restarts += 1
                pause, restart_at = min(pause * 2, MAX_RESTART_PAUSE), None
            time.sleep(0.2)
        return 0

    def _stop_all(self) -> None:
        procs = [p for p in (self.timers, self.web) if p is not None and p.poll() is None]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("process %s did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.wait()

    def _metrics_dir(self) -> str | None:
        """A fresh directory for prometheus-client's multiprocess files (removed at exit unless configured)."""
        configured = self.env.get("PROMETHEUS_MULTIPROC_DIR")
        if configured:
            os.makedirs(configured, exist_ok=True)
            for name in os.listdir(configured):  # files of a previous run would be summed in
                if name.endswith(".db"):
                    os.remove(os.path.join(configured, name))
            return None
        path = tempfile.mkdtemp(prefix="qingfeng-metrics-")
        self.env["PROMETHEUS_MULTIPROC_DIR"] = path
        return path
