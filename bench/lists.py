"""4. Lists: the worklist and the case list at 100,000 cases and 2,000,000 audit events, against
hand-written SQL returning the same rows.

Runs on PostgreSQL (the production database for this volume) when it answers, else on SQLite. The
schema comes from the migrations; one case is started through `actions.start_case` and its real
state JSON is copied into every bulk case. The bulk rows are generated inside the database with one
INSERT ... SELECT over a number series per table (generate_series on PostgreSQL, a recursive CTE on
SQLite). Bulk audit rows are volume only: their hashes are filler, not a valid chain.

Data shape: 10 % of cases open, spread over 6 process keys; each open case has one open work item
(40 % handler, a third of those claimed by another handler), every case two completed items; due
dates of open cases run from 40 days overdue to 80 days ahead of the (fixed) clock.
"""

from __future__ import annotations

import time

from sqlalchemy import bindparam, text

from bench import common

SIZES = {"cases": 100_000, "audit_events": 2_000_000}
# Cases alternate between the two departments in blocks of ten; in 第一监督检查室 the measured handler handles
# every other block (handler2 the rest), in 第二监督检查室 handler3 does: the handler reads about a quarter.
DEPARTMENT_SQL = "CASE WHEN (i / 10) % 2 = 0 THEN :d ELSE :d2 END"
HANDLER_SQL = ("CASE WHEN (i / 10) % 2 = 1 THEN CAST(:h3 AS INTEGER) WHEN (i / 10) % 4 = 0 THEN CAST(:h AS INTEGER) "
               "ELSE CAST(:h2 AS INTEGER) END")
ROLES_SQL = ("CASE WHEN (i / 10) % 10 < 4 THEN 'handler' WHEN (i / 10) % 10 < 7 THEN 'supervisor' "
             "WHEN (i / 10) % 10 < 8 THEN 'leader' ELSE 'intake' END")


def _numbers(pg: bool, n: int) -> str:
    if pg:
        return f"nums AS (SELECT generate_series(1, {int(n)}) AS i)"
    return f"nums(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM nums WHERE i < {int(n)})"


def _ts(pg: bool, minutes_expr: str) -> str:
    """A UTC timestamp `minutes_expr` minutes after the fixed clock (negative = before)."""
    if pg:
        return f"(TIMESTAMP '2026-03-02 01:00:00' + ({minutes_expr}) * INTERVAL '1 minute')"
    return f"strftime('%Y-%m-%d %H:%M:%f000', '2026-03-02 01:00:00', ({minutes_expr}) || ' minutes')"


def build(svc, cases: int, audit_events: int) -> dict:
    """Bulk-load the list data; returns ids and load timings."""
    from service.cases import accounts
    from service.cases.actions import start_case

    ids = common.seed(svc)
    ids["handler2"] = accounts.create_user(svc, "handler2", "钱承办", common.PASSWORD, ["handler"], "第一监督检查室")
    ids["supervisor"] = accounts.create_user(svc, "supervisor", "孙主任", common.PASSWORD, ["supervisor"],
                                             "第一监督检查室")
    # another department, whose cases the measured handler (第一监督检查室) must not see
    ids["handler3"] = accounts.create_user(svc, "handler3", "李承办", common.PASSWORD, ["handler"], "第二监督检查室")
    template = start_case(svc, ids["handler"], common.LOOP_KEY, "模板案件", {}).case_id
    pg = not svc.db.is_sqlite
    timings = {}
    with svc.db.engine.begin() as conn:
        if pg:  # bulk load: no per-row foreign-key triggers; audit indexes rebuilt once afterwards
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("ALTER TABLE audit_events DROP CONSTRAINT uq_audit_events_chain_seq"))
            conn.execute(text("DROP INDEX ix_audit_events_case"))
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        state, version_id = conn.execute(
            text("SELECT CAST(state AS TEXT), process_version_id FROM cases WHERE id = :i"), {"i": template}).one()
        first = template + 1
        people = {"h": ids["handler"], "h2": ids["handler2"], "h3": ids["handler3"],
                  "d": conn.execute(text("SELECT department_id FROM cases WHERE id = :i"), {"i": template}).scalar(),
                  "d2": conn.execute(text("SELECT department_id FROM positions WHERE user_id = :u"),
                                     {"u": ids["handler3"]}).scalar()}
        state_sql = "CAST(:state AS JSON)" if pg else ":state"
        start = time.perf_counter()
        conn.execute(text(
            f"WITH RECURSIVE {_numbers(pg, cases)} "
            "INSERT INTO cases (id, reference, title, process_key, process_version_id, status, outcome, stage, "
            "subject_name, subject_unit, clue_no, department, department_id, handler_id, created_by_id, due_at, "
            "created_at, updated_at, closed_at, state, version) "
            f"SELECT {first} + i, 'GX-B-' || i, '关于批量案件 ' || i || ' 的问题线索', 'proc_' || (i % 6), :v, "
            "CASE WHEN i % 10 = 0 THEN 'open' ELSE 'completed' END, NULL, '复核', '张' || (i % 997), '某单位', '', "
            f"'监督检查室', {DEPARTMENT_SQL}, {HANDLER_SQL}, {HANDLER_SQL}, "
            f"CASE WHEN i % 10 = 0 THEN {_ts(pg, '((i * 7919) % 172800) - 57600')} END, "
            f"{_ts(pg, '-i * 5')}, {_ts(pg, '-i * 5')}, NULL, {state_sql}, 3 FROM nums"),
            {"v": version_id, **people, "state": state})
        timings["cases_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        conn.execute(text(
            f"WITH RECURSIVE {_numbers(pg, cases)} "
            "INSERT INTO work_items (case_id, task_id, bpmn_id, title, role, lane, approves, form, instructions, "
            "assignee_id, due_at, created_at, completed_at, completed_by_id, resolution) "
            f"SELECT {first} + i, 'bench-open-' || i, 'review', '复核', {ROLES_SQL}, '', NULL, NULL, '', "
            f"CASE WHEN (i / 10) % 3 = 0 THEN CAST(:h2 AS INTEGER) END, {_ts(pg, '((i * 7919) % 172800) - 57600')}, "
            f"{_ts(pg, '-i * 5')}, NULL, NULL, NULL FROM nums WHERE i % 10 = 0"),
            {"h2": ids["handler2"]})
        for k in (1, 2):
            conn.execute(text(
                f"WITH RECURSIVE {_numbers(pg, cases)} "
                "INSERT INTO work_items (case_id, task_id, bpmn_id, title, role, lane, form, instructions, due_at, "
                "created_at, completed_at, completed_by_id, resolution) "
                f"SELECT {first} + i, 'bench-done-{k}-' || i, 'review', '复核', 'handler', '', NULL, '', NULL, "
                f"{_ts(pg, '-i * 5')}, {_ts(pg, '-i * 5 + 60')}, {HANDLER_SQL}, 'completed' FROM nums"), people)
        timings["work_items_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        per_case = max(1, audit_events // cases)
        summary = "'{\"data\": {\"opinion\": \"同意\"}}'"
        summary = f"CAST({summary} AS JSONB)" if pg else summary
        conn.execute(text(
            f"WITH RECURSIVE {_numbers(pg, audit_events)} "
            "INSERT INTO audit_events (chain, seq, case_id, at, actor_id, actor_name, action, task_bpmn_id, "
            "task_title, summary, prev_hash, hash) "
            f"SELECT 'case:' || ({first} + 1 + (i - 1) / {per_case}), 1 + (i - 1) % {per_case}, "
            f"{first} + 1 + (i - 1) / {per_case}, {_ts(pg, '-i')}, :h, '郝承办', 'task_completed', 'review', '复核', "
            f"{summary}, :zero, :zero FROM nums"), {"h": ids["handler"], "zero": "0" * 64})
        if pg:
            conn.execute(text("ALTER TABLE audit_events ADD CONSTRAINT uq_audit_events_chain_seq UNIQUE (chain, seq)"))
            conn.execute(text("CREATE INDEX ix_audit_events_case ON audit_events (case_id, seq)"))
        timings["audit_events_s"] = round(time.perf_counter() - start, 2)
        if pg:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"))
    start = time.perf_counter()
    with svc.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))
    timings["analyze_s"] = round(time.perf_counter() - start, 2)
    return {"ids": ids, "timings": timings, "state_bytes": len(state.encode()), "cases": cases + 1,
            "audit_events": audit_events}


CASES_SQL = """
SELECT id, reference, title, process_key, status, outcome, stage, subject_name, handler_id, due_at, created_at,
       updated_at, version, count(*) OVER () AS total
FROM cases c
WHERE status = 'open' AND process_key = :k AND due_at < :now
  AND id NOT IN (SELECT case_id FROM recusals WHERE user_id = :u)
  AND (c.handler_id = :u OR c.created_by_id = :u
       OR EXISTS (SELECT 1 FROM work_items w WHERE w.case_id = c.id
                  AND (w.assignee_id = :u OR w.completed_by_id = :u
                       OR (w.completed_at IS NULL AND w.role IN ('handler', 'dept_member')
                           AND c.department_id IN (SELECT department_id FROM positions WHERE user_id = :u
                                                   AND kind = 'member' AND valid_to IS NULL))))
       OR EXISTS (SELECT 1 FROM access_grants g WHERE g.case_id = c.id AND g.user_id = :u AND g.valid_to > :now
                  AND g.revoked_at IS NULL))
ORDER BY due_at, id DESC
LIMIT 50
"""

WORKLIST_INDEX = ("CREATE INDEX bench_ix_work_items_open_role_due ON work_items "
                  "(role, (due_at IS NULL), due_at, id) WHERE completed_at IS NULL")

WORKLIST_SQL = """
SELECT w.task_id, w.case_id, w.bpmn_id, w.title, w.role, w.lane, w.approves, w.assignee_id, w.due_at,
       w.created_at, w.instructions, c.reference, c.title AS case_title, c.process_key
FROM work_items w JOIN cases c ON c.id = w.case_id
WHERE w.completed_at IS NULL AND w.role IN ('handler', 'dept_member') AND (w.assignee_id IS NULL OR w.assignee_id = :u)
  AND c.department_id IN (SELECT department_id FROM positions WHERE user_id = :u AND kind = 'member'
                          AND valid_to IS NULL)
  AND w.case_id NOT IN (SELECT case_id FROM recusals WHERE user_id = :u)
ORDER BY w.due_at NULLS LAST, w.id
"""

# The worklist page as one hand-written query: the first 50 rows and the total, like the page shows.
WORKLIST_PAGE_SQL = WORKLIST_SQL.replace("w.instructions,", "w.instructions, count(*) OVER () AS total,") + " LIMIT 50"


def _time(func, repeat: int) -> tuple[list[float], object]:
    result, samples = func(), []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        samples.append(time.perf_counter() - start)
    return samples, result


def _stats(samples: list[float]) -> dict:
    return {"p50_ms": common.ms(common.percentile(samples, 0.5)), "p95_ms": common.ms(common.percentile(samples, 0.95))}


def measure(svc, data: dict, repeat: int) -> list[dict]:
    from service.cases import accounts, queries
    from service.models.types import UTCDateTime

    now = common.fixed_clock()
    cases_sql = text(CASES_SQL).bindparams(bindparam("now", type_=UTCDateTime))
    rows = []
    with svc.db.read_session() as session:
        # Users as a request has them: loaded once by the login, detached (expire_all leaves them alone).
        handler = accounts.load_user(session, data["ids"]["handler"])
        filt = queries.CaseFilter(status="open", process_key="proc_0", overdue=True, sort="due", page=1, per_page=50)

        # Need to know as a handler of one department (第一监督检查室): the cases they handle, took part in or
        # have an open task of; the other department's cases are not theirs (issue 13's measuring point).
        def service_cases():
            session.expire_all()
            return queries.list_cases(session, handler, filt, now)

        def sql_cases():
            return session.execute(cases_sql, {"k": "proc_0", "now": now, "u": handler.id}).all()

        def service_worklist():  # what the worklist page runs: a page of 50 and the total
            session.expire_all()
            return (queries.list_tasks(session, handler, "mine", limit=50, now=now),
                    queries.count_tasks(session, handler, now=now))

        def sql_worklist():
            return session.execute(text(WORKLIST_PAGE_SQL), {"u": handler.id}).all()

        def sql_worklist_page():
            return session.execute(text(WORKLIST_SQL + " LIMIT 50"), {"u": handler.id}).all()

        s_cases, page = _time(service_cases, repeat)
        h_cases, hand_page = _time(sql_cases, repeat)
        assert [c.id for c in page["items"]] == [r.id for r in hand_page], "case list pages differ"
        assert page["total"] == (hand_page[0].total if hand_page else 0)
        s_work, (work, work_total) = _time(service_worklist, repeat)
        h_work, hand_work = _time(sql_worklist, repeat)
        assert [w.task_id for w, _c in work] == [r.task_id for r in hand_work], "worklists differ"
        assert work_total == (hand_work[0].total if hand_work else 0)
        h_page, hand_first = _time(sql_worklist_page, repeat)
        session.rollback()
        # The same worklist with an index shaped like its filter and sort (bench-only, not in the migrations).
        with svc.db.engine.begin() as conn:
            conn.execute(text(WORKLIST_INDEX))
            conn.execute(text("ANALYZE work_items"))
        s_work_ix, _ = _time(service_worklist, repeat)
        h_work_ix, _ = _time(sql_worklist, repeat)
        h_page_ix, _ = _time(sql_worklist_page, repeat)
        session.rollback()
    indexed = {"service": _stats(s_work_ix), "sql": _stats(h_work_ix), "sql_page": _stats(h_page_ix)}
    rows.append({"list": "case list (open, process, overdue, sort due, page of 50)", "rows": len(page["items"]),
                 "total": page["total"], "service": _stats(s_cases), "sql": _stats(h_cases)})
    rows.append({"list": "worklist scope=mine (page of 50 with total)", "rows": len(work),
                 "total": work_total, "service": _stats(s_work), "sql": _stats(h_work)})
    rows.append({"list": "worklist, hand-written SQL first page of 50, no total", "rows": len(hand_first),
                 "total": work_total, "service": None, "sql": _stats(h_page)})
    rows.append({"list": "worklist again with the bench-only WORKLIST_INDEX", "rows": len(work),
                 "total": work_total, "service": indexed["service"], "sql": indexed["sql"], "extra": True})
    rows.append({"list": "worklist with WORKLIST_INDEX, hand-written SQL first page of 50, no total",
                 "rows": len(hand_first), "total": work_total, "service": None, "sql": indexed["sql_page"],
                 "extra": True})
    for row in rows:
        if row["service"]:
            row["ratio_p50"] = round(row["service"]["p50_ms"] / max(row["sql"]["p50_ms"], 1e-6), 2)
    return rows


def run(quick: bool = False, kind: str | None = None) -> dict:
    kind = kind or ("postgresql" if common.pg_available() else "sqlite")
    cases, events, repeat = (300, 6000, 5) if quick else (SIZES["cases"], SIZES["audit_events"], 30)
    with common.database(kind) as url:
        svc = common.services(url)
        data = build(svc, cases, events)
        rows = measure(svc, data, repeat)
        svc.db.dispose()
    measured = [r for r in rows if r["service"] and not r.get("extra")]
    print(common.table(
        f"Lists ({kind}, {data['cases']:,} cases, {data['audit_events']:,} audit events; load {data['timings']})",
        ["list", "rows", "total", "service p50 ms", "service p95 ms", "SQL p50 ms", "SQL p95 ms", "ratio p50"],
        [[r["list"], r["rows"], r["total"], r["service"]["p50_ms"] if r["service"] else "—",
          r["service"]["p95_ms"] if r["service"] else "—", r["sql"]["p50_ms"], r["sql"]["p95_ms"],
          r.get("ratio_p50", "—")] for r in rows]))
    return {"list_ratio_vs_sql": max(r["ratio_p50"] for r in measured),
            "list_p95_ms": max(r["service"]["p95_ms"] for r in measured),
            "case_list_ratio_vs_sql": measured[0]["ratio_p50"], "worklist_ratio_vs_sql": measured[1]["ratio_p50"],
            "case_list_p95_ms": measured[0]["service"]["p95_ms"], "worklist_p95_ms": measured[1]["service"]["p95_ms"],
            "worklist_rows": measured[1]["rows"], "worklist_sql_page_p50_ms": rows[2]["sql"]["p50_ms"],
            "worklist_sql_page_p50_ms_with_index": rows[4]["sql"]["p50_ms"],
            "lists": {"database": kind, "load": data["timings"], "cases": data["cases"],
                      "audit_events": data["audit_events"], "state_bytes_per_case": data["state_bytes"],
                      "rows": rows}}

