"""`qingfeng serve`: gunicorn plus a supervised timer worker; Ctrl-C stops everything cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.e2e import free_port
from service.server import default_concurrency

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local test server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_for(predicate, seconds: float = 120, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_default_concurrency_is_one_threaded_process_on_sqlite_and_several_processes_on_postgresql():
    assert default_concurrency("sqlite:///x.db") == (1, 8)
    workers, threads = default_concurrency("postgresql+psycopg://db/x")
    assert 3 <= workers <= 8 and threads == 4


def test_serve_runs_gunicorn_and_a_supervised_timer_worker_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/qf.db", "QINGFENG_SECRET_KEY": "serve-test",
           "QINGFENG_METRICS_TOKEN": "serve-metrics",
           "PYTHONPATH": str(ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2",
                             "--threads", "2", "--timer-interval", "1"],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group, as a terminal's foreground job
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        wait_for(lambda: get_json(base + "/readyz")[0] == 200, what="readyz")  # gunicorn answers, timers beat
        kids = children(proc.pid)
        [web] = [p for p in kids if "gunicorn" in cmdline(p)]
        [timers] = [p for p in kids if "run-timers" in cmdline(p)]
        assert len(children(web)) == 2
        metrics_dir = [v for v in Path(f"/proc/{web}/environ").read_bytes().split(b"\0")
                       if v.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
        assert metrics_dir, "gunicorn runs in prometheus multiprocess mode"

        for _ in range(10):  # answered by either worker: the scrape sums both workers' files
            assert get_json(base + "/healthz")[0] == 200
        scrape = urllib.request.Request(f"http://127.0.0.1:{port}/metrics",
                                        headers={"Authorization": "Bearer serve-metrics"})
        with urllib.request.urlopen(scrape, timeout=10) as response:  # noqa: S310 (a local test server)
            text = response.read().decode()
        assert 'qingfeng_http_request_duration_seconds_count{method="GET",route="/api/v1/healthz"} 10.0' in text

        os.kill(timers, signal.SIGKILL)  # the supervisor restarts a dead timer worker
        restarted = wait_for(lambda: [p for p in children(proc.pid) if "run-timers" in cmdline(p) and p != timers],
                             what="timer worker restart")
        workers = children(web)

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        assert proc.wait(timeout=60) == 0
        for pid in [web, *workers, *restarted]:
            assert not alive(pid), cmdline(pid)
        assert not Path(metrics_dir[0].split(b"=", 1)[1].decode()).exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log.seek(0)
    output = log.read()
    assert "清风已启动" in output and "Starting gunicorn" in output
    assert "development server" not in output.lower()
    assert "Traceback" not in output
    assert "timer worker exited" in output  # the kill was noticed and logged
