"""3. End to end: complete-task requests per second through the HTTP API, and 5. server memory.

For each database the run measures, with 1, 4 and 16 concurrent clients:
- service: `POST /api/v1/tasks/<id>/complete` on `gunicorn 'service:create_app()'` (sync workers:
  1 on SQLite, 4 on PostgreSQL), bearer token, loop cases started through `actions.start_case`;
- floor (b): `bench.floor_app` on the same gunicorn settings, writing the same rows with no engine;
- floor (a): `floor_app.write_completion` called directly (no HTTP, no engine).
Clients are threads of this process using http.client against 127.0.0.1. Every request completes a
different ready task: tasks circulate through a queue, each completion putting the case's next
task back, so no two clients ever hold the same case. Memory: VmHWM/VmRSS of the gunicorn processes.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench import common
from bench.floor_app import write_completion

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
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


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """A gunicorn subprocess on 127.0.0.1 with a free port."""

    def __init__(self, app: str, url: str, workers: int, health: str, actor_id: int):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "QINGFENG_SECRET_KEY": "bench-secret",
               "BENCH_ACTOR_ID": str(actor_id), "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
               "--backlog", "256", "--timeout", "120", "--log-level", "warning", "--no-control-socket", app]
        # The service logs each request at INFO: send it to a file, never to an unread pipe (a full pipe blocks).
        self.log = tempfile.NamedTemporaryFile(prefix="qf-bench-gunicorn-", suffix=".log")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        self._wait(health, workers)

    def _wait(self, path: str, workers: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status == 200 and len(self.workers()) >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready")

    def workers(self) -> list[int]:
        return _children(self.proc.pid)

    def memory(self) -> dict:
        """Peak and current resident memory (KB) of the workers and the master."""
        workers = self.workers()
        return {"workers_peak_kb": max((_status_kb(p, "VmHWM") for p in workers), default=0),
                "workers_rss_kb": [_status_kb(p, "VmRSS") for p in workers],
                "master_peak_kb": _status_kb(self.proc.pid, "VmHWM")}

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in self.workers():
                os.kill(pid, signal.SIGKILL)
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@contextmanager
def serving(app: str, url: str, workers: int, health: str, actor_id: int):
    server = Server(app, url, workers, health, actor_id)
    try:
        yield server
    finally:
        server.stop()


class HttpCompleter:
    """One client's keep-alive connection completing tasks (reconnects when the server closes)."""

    def __init__(self, port: int, token: str | None, floor: bool):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.floor = floor
        self.round = 0

    def __call__(self, task_id: str) -> str:
        self.round += 1
        path = f"/floor/tasks/{task_id}/complete" if self.floor else f"/api/v1/tasks/{task_id}/complete"
        body = json.dumps({"data": common.loop_data(self.round)}, ensure_ascii=False).encode()
        try:
            self.conn.request("POST", path, body=body, headers=self.headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
        doc = json.loads(payload)
        return doc["next_task_id"] if self.floor else doc["tasks"][0]["id"]


def load(make_client, tasks: list[str], clients: int, seconds: float, max_requests: int) -> dict:
    """Run `clients` threads completing circulating tasks for `seconds` (or `max_requests`)."""
    pool: queue.Queue[str] = queue.Queue()
    for task in tasks:
        pool.put(task)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    issued = [0]

    def client():
        complete = make_client()
        done = 0
        # Each client sends at least one request, so a loaded machine gives a slow figure, never none.
        while done == 0 or time.perf_counter() < stop_at:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            try:
                task = pool.get(timeout=5)
            except queue.Empty:
                return
            done += 1
            start = time.perf_counter()
            try:
                pool.put(complete(task))
            except Exception as exc:
                with lock:
                    errors.append(str(exc)[:300])
                continue
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    remaining = []
    while not pool.empty():
        remaining.append(pool.get())
    tasks[:] = remaining
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "first_error": errors[:1],
            "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": common.ms(common.percentile(latencies, 0.5)),
            "p99_ms": common.ms(common.percentile(latencies, 0.99))}


def start_cases(svc, actor: int, count: int) -> list[str]:
    from service.cases.actions import start_case

    return [common.ready_task(svc, start_case(svc, actor, common.LOOP_KEY, f"端到端 {i}", {}).case_id)
            for i in range(count)]


def run_database(kind: str, clients: tuple[int, ...], seconds: float, max_requests: int, cases: int,
                 workers: int) -> dict:
    """All three series on one fresh database."""
    from service.db import Database

    out: dict = {"database": kind, "workers": workers, "service": [], "http_floor": [], "raw_floor": []}
    with common.database(kind) as url:
        svc = common.services(url)
        actor = common.seed(svc)["handler"]
        token = common.served_token(url, actor, "bench")
        service_tasks = start_cases(svc, actor, cases)
        floor_tasks = start_cases(svc, actor, cases)
        svc.db.dispose()
        with serving("service:create_app()", url, workers, "/api/v1/healthz", actor) as server:
            load(lambda: HttpCompleter(server.port, token, False), service_tasks, min(clients), 3, 2 * workers)
            for n in clients:
                out["service"].append(load(lambda: HttpCompleter(server.port, token, False), service_tasks, n,
                                           seconds, max_requests))
            out["memory"] = server.memory()
        with serving("bench.floor_app:create_app()", url, workers, "/floor/healthz", actor) as server:
            load(lambda: HttpCompleter(server.port, None, True), floor_tasks, min(clients), 3, 2 * workers)
            for n in clients:
                out["http_floor"].append(load(lambda: HttpCompleter(server.port, None, True), floor_tasks, n,
                                              seconds, max_requests))
            out["floor_memory"] = server.memory()
        if kind == "postgresql":
            out["two_services"] = two_services(url, token, service_tasks, actor, workers=max(2, workers),
                                               clients=max(clients[:2]), seconds=seconds / 2, rounds=3,
                                               max_requests=max_requests)
        db = Database(url)
        try:
            for n in clients:
                out["raw_floor"].append(load(lambda: lambda task: write_completion(db, task, actor), floor_tasks, n,
                                             seconds, max_requests))
        finally:
            db.dispose()
    return out


def two_services(url: str, token: str, tasks: list[str], actor: int, workers: int, clients: int, seconds: float,
                 rounds: int, max_requests: int) -> dict:
    """Requests/s of two service processes (workers/2 each, clients split between them) vs one with all
    the workers, same database and clients; the two set-ups alternate `rounds` times (medians reported)."""
    app, health = "service:create_app()", "/api/v1/healthz"
    with serving(app, url, workers, health, actor) as one, \
            serving(app, url, workers // 2, health, actor) as first, \
            serving(app, url, workers - workers // 2, health, actor) as second:
        ports = {"one": [one.port], "two": [first.port, second.port]}

        def clients_for(setup: str):
            counter = iter(range(1_000_000))  # threads take clients in turn: port of client i = ports[i % n]
            lock = threading.Lock()

            def make():
                with lock:
                    i = next(counter)
                return HttpCompleter(ports[setup][i % len(ports[setup])], token, False)
            return make

        for setup in ports:  # warm every worker
            load(clients_for(setup), tasks, clients, 2, 4 * workers)
        series: dict[str, list[dict]] = {"one": [], "two": []}
        for _ in range(rounds):
            for setup in ("one", "two"):
                series[setup].append(load(clients_for(setup), tasks, clients, seconds, max_requests))
    medians = {k: sorted(r["rps"] for r in v)[len(v) // 2] for k, v in series.items()}
    return {"workers": workers, "clients": clients, "rounds": rounds, "series": series,
            "one_rps": medians["one"], "two_rps": medians["two"],
            "errors": sum(r["errors"] for v in series.values() for r in v),
            "ratio": round(medians["two"] / medians["one"], 3) if medians["one"] else 0.0}


def run(quick: bool = False, kinds: tuple[str, ...] = ("sqlite", "postgresql")) -> dict:
    clients = (1, 4) if quick else (1, 4, 16)
    seconds, max_requests, cases = (0.5, 6, 6) if quick else (8.0, 2000, 96)
    results, rows = {}, []
    for kind in kinds:
        workers = 1 if kind == "sqlite" or quick else 4  # the smoke run keeps to one worker
        res = run_database(kind, clients, seconds, max_requests, cases, workers)
        results[kind] = res
        for i, n in enumerate(clients):
            s, b, a = res["service"][i], res["http_floor"][i], res["raw_floor"][i]
            rows.append([kind, n, s["rps"], s["p50_ms"], s["p99_ms"], b["rps"], b["p50_ms"], b["p99_ms"], a["rps"],
                         a["p50_ms"], round(s["rps"] / b["rps"], 3) if b["rps"] else 0.0,
                         round(s["rps"] / a["rps"], 3) if a["rps"] else 0.0,
                         s["errors"] + b["errors"] + a["errors"]])
    print(common.table("End to end: complete-task requests/s (service) vs floors (b: HTTP, no engine; a: raw SQL)",
                       ["db", "clients", "service rps", "p50 ms", "p99 ms", "floor b rps", "b p50", "b p99",
                        "floor a rps", "a p50", "service/b", "service/a", "errors"], rows))
    mem_rows = [[k, r["workers"], round(r["memory"]["workers_peak_kb"] / 1024, 1),
                 round(r["floor_memory"]["workers_peak_kb"] / 1024, 1)] for k, r in results.items()]
    print(common.table("Memory: peak RSS (VmHWM) of a gunicorn worker during the run",
                       ["db", "workers", "service worker MB", "floor worker MB"], mem_rows))
    out: dict = {"e2e": results}
    if "sqlite" in results:
        r = results["sqlite"]
        out["e2e_fraction_of_http_floor_sqlite_1client"] = _ratio(r["service"][0], r["http_floor"][0])
        out["e2e_fraction_of_raw_floor_sqlite_1client"] = _ratio(r["service"][0], r["raw_floor"][0])
    if "postgresql" in results:
        r = results["postgresql"]
        out["pg_scaling_4_vs_1"] = _ratio(r["service"][1], r["service"][0])
        two = r["two_services"]
        out["pg_two_services_vs_one"] = two["ratio"]
        print(common.table(f"Two service processes vs one (PostgreSQL, {two['workers']} sync workers in total, "
                           f"{two['clients']} clients, {two['rounds']} alternating rounds, medians)",
                           ["set-up", "rps per round", "median rps", "errors"],
                           [["one process, all workers", ", ".join(str(x["rps"]) for x in two["series"]["one"]),
                             two["one_rps"], sum(x["errors"] for x in two["series"]["one"])],
                            ["two processes, half each", ", ".join(str(x["rps"]) for x in two["series"]["two"]),
                             two["two_rps"], sum(x["errors"] for x in two["series"]["two"])]]))
        out["e2e_fraction_of_http_floor_pg_1client"] = _ratio(r["service"][0], r["http_floor"][0])
    out["server_peak_rss_mb"] = max(round(r["memory"]["workers_peak_kb"] / 1024, 1) for r in results.values())
    return out


def _ratio(a: dict, b: dict) -> float:
    return round(a["rps"] / b["rps"], 3) if b["rps"] else 0.0
