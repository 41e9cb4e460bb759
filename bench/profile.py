"""`python -m bench.profile [--what complete|request|worklist|caselist] [--history N] [--db sqlite|postgresql]`:
cProfile of one completion at history N, of complete requests through the Flask app, or of the
worklist or case list query on the lists data, to see where the time goes."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter

from sqlalchemy import event, text

from bench import common


def profile_completion(history: int, kind: str, top: int) -> str:
    from service.cases.actions import complete_task, start_case

    with common.database(kind) as url:
        svc = common.services(url)
        actor = common.seed(svc)["handler"]
        case_id = start_case(svc, actor, common.LOOP_KEY, "剖析", {}).case_id
        common.fast_forward(svc, actor, case_id, history)
        complete_task(svc, actor, common.ready_task(svc, case_id), common.loop_data(history + 1))  # warm caches
        task_id = common.ready_task(svc, case_id)
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        complete_task(svc, actor, task_id, common.loop_data(history + 2))
        profiler.disable()
        wall = time.perf_counter() - start
        svc.db.dispose()
    return _report(profiler, f"complete_task at history {history + 1} ({kind}): {wall * 1000:.0f} ms under cProfile",
                   top)


def profile_request(kind: str, top: int, requests: int = 20) -> str:
    """cProfile of POST /api/v1/tasks/<id>/complete through the Flask app in-process (no WSGI server)."""
    from service import create_app
    from service.cases.actions import start_case
    from service.config import Config

    with common.database(kind) as url:
        svc = common.services(url)
        actor = common.seed(svc)["handler"]
        token = common.served_token(url, actor, "profile")
        tasks = [common.ready_task(svc, start_case(svc, actor, common.LOOP_KEY, f"剖析 {i}", {}).case_id)
                 for i in range(2 * requests + 1)]
        svc.db.dispose()
        app = create_app(Config.from_env(DATABASE_URL=url, SECRET_KEY="bench-secret"))
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post(f"/api/v1/tasks/{tasks.pop()}/complete", json={"data": common.loop_data(1)},
                           headers=headers).status_code == 200
        split = _request_split(client, headers, [tasks.pop() for _ in range(requests)])
        statements: list[str] = []
        spent: Counter = Counter()
        started: list[float] = [0.0]
        engine = app.extensions["qingfeng"].db.engine

        def before(_c, _cur, stmt, *_a):
            statements.append(" ".join(stmt.split())[:90])
            started[0] = time.perf_counter()

        def after(_c, _cur, _stmt, *_a):
            spent[statements[-1]] += time.perf_counter() - started[0]

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for task in tasks[1:]:
            response = client.post(f"/api/v1/tasks/{task}/complete", json={"data": common.loop_data(1)},
                                   headers=headers)
            assert response.status_code == 200, response.json
        profiler.disable()
        wall = time.perf_counter() - start
        app.extensions["qingfeng"].db.dispose()
    counts = Counter(statements)
    listing = "\n".join(f"{n / requests:5.1f} × {spent[stmt] * 1000 / requests:7.2f} ms  {stmt}"
                        for stmt, n in counts.most_common())
    title = (f"{requests} complete requests in-process ({kind}): {wall * 1000 / requests:.1f} ms each under "
             f"cProfile; without it, median ms: {split}")
    per_request = len(statements) / requests
    return (_report(profiler, title, top) + f"\n### SQL statements per request: {per_request:.1f}"
            f" (count, then driver ms per request)\n{listing}\n")


def _request_split(client, headers: dict, tasks: list[str]) -> dict:
    """Median ms per request: the whole request, the bearer-token lookup, the action and the response body."""
    from service import auth
    from service.api import tasks as task_views
    from service.cases import actions

    parts = {"auth": (auth, "user_for_token"), "complete_task": (actions, "complete_task"),
             "response body": (task_views, "completion_body")}
    spent: dict[str, list[float]] = {"request": [], **{name: [] for name in parts}}
    originals = {name: getattr(module, attr) for name, (module, attr) in parts.items()}

    def timed(name):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return originals[name](*args, **kwargs)
            finally:
                spent[name].append(time.perf_counter() - start)
        return wrapper

    for name, (module, attr) in parts.items():
        setattr(module, attr, timed(name))
    try:
        for task in tasks:
            start = time.perf_counter()
            response = client.post(f"/api/v1/tasks/{task}/complete", json={"data": common.loop_data(1)},
                                   headers=headers)
            spent["request"].append(time.perf_counter() - start)
            assert response.status_code == 200, response.json
    finally:
        for name, (module, attr) in parts.items():
            setattr(module, attr, originals[name])
    out = {name: common.median_ms(values) for name, values in spent.items()}
    out["rest (flask, flask-login, schemas)"] = round(out["request"] - sum(out[name] for name in parts), 3)
    return out


def profile_worklist(kind: str, top: int) -> str:
    from bench import lists
    from service.cases import queries
    from service.models import User

    with common.database(kind) as url:
        svc = common.services(url)
        data = lists.build(svc, lists.SIZES["cases"], lists.SIZES["audit_events"])
        with svc.db.read_session() as session:
            handler = session.get(User, data["ids"]["handler"])
            queries.list_tasks(session, handler, "mine", now=svc.now())
            session.expire_all()
            profiler = cProfile.Profile()
            profiler.enable()
            rows = queries.list_tasks(session, handler, "mine", now=svc.now())
            profiler.disable()
            plans = []
            if kind == "postgresql":
                for name, sql, params in (("worklist", lists.WORKLIST_SQL, {"u": handler.id}),
                                          ("worklist page", lists.WORKLIST_SQL + " LIMIT 50", {"u": handler.id})):
                    plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).scalars().all()
                    plans.append(f"### EXPLAIN ANALYZE {name}\n" + "\n".join(plan))
        svc.db.dispose()
    return _report(profiler, f"list_tasks scope=mine ({kind}, {len(rows)} rows)", top) + "\n".join(plans)


def profile_caselist(kind: str, top: int, calls: int = 50) -> str:
    """list_cases as bench/lists.py measures it, with EXPLAIN ANALYZE of its SQL and of the hand-written one."""
    from sqlalchemy import bindparam

    from bench import lists
    from service.cases import queries
    from service.models import User
    from service.models.types import UTCDateTime

    now = common.fixed_clock()
    filt = queries.CaseFilter(status="open", process_key="proc_0", overdue=True, sort="due", page=1, per_page=50)
    with common.database(kind) as url:
        svc = common.services(url)
        data = lists.build(svc, lists.SIZES["cases"], lists.SIZES["audit_events"])
        statements: list[tuple[str, object]] = []
        with svc.db.read_session() as session:
            supervisor = session.get(User, data["ids"]["supervisor"])
            queries.list_cases(session, supervisor, filt, now)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(calls):
                queries.list_cases(session, supervisor, filt, now)
            profiler.disable()
            plans = []
            if kind == "postgresql":
                event.listen(svc.db.engine, "before_cursor_execute",
                             lambda _c, _cur, stmt, params, *_a: statements.append((stmt, params)))
                queries.list_cases(session, supervisor, filt, now)
                stmt, params = statements[-1]
                plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params)
                plans.append(f"### EXPLAIN ANALYZE list_cases\n{stmt}\n" + "\n".join(plan.scalars().all()))
                hand = text("EXPLAIN (ANALYZE, BUFFERS) " + lists.CASES_SQL).bindparams(
                    bindparam("now", type_=UTCDateTime))
                plan = session.execute(hand, {"k": "proc_0", "now": now, "u": supervisor.id}).scalars().all()
                plans.append("### EXPLAIN ANALYZE hand-written case list\n" + "\n".join(plan))
        svc.db.dispose()
    return _report(profiler, f"list_cases x {calls} ({kind})", top) + "\n".join(plans)


def _report(profiler: cProfile.Profile, title: str, top: int) -> str:
    out = io.StringIO()
    out.write(f"## {title}\n\n### by cumulative time\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    out.write("\n### by own time\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--what", choices=("complete", "request", "worklist", "caselist"), default="complete")
    parser.add_argument("--history", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    if args.what == "complete":
        print(profile_completion(args.history, args.db, args.top))
    elif args.what == "request":
        print(profile_request(args.db, args.top))
    elif args.what == "caselist":
        print(profile_caselist(args.db, args.top))
    else:
        print(profile_worklist(args.db, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
