"""5. Statistics: every figure group (`GET /api/v1/stats/<group>`'s query, `stats.queries.figures`) read by the
principal (who reads every case: the widest need-to-know circle) over one quarter, against hand-written SQL
computing the same numbers. PostgreSQL at 1,000,000 cases (3 work items each), SQLite at 100,000.

Data, generated inside the database with one INSERT ... SELECT per table: cases over six process keys and two
departments, registered one a minute over ~23 months (so a quarter holds ~1/8 of them), with every fact column
filled in a fixed pattern (some left null); per case three work items of its process (two done, the last open for
open cases), durations and deadlines varied, a few extensions. States are '{}' (figures never read them).
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import text

from bench import common
from bench.lists import _numbers, _ts

SIZES = {"postgresql": 1_000_000, "sqlite": 100_000}
PROCESSES = ("four_forms_disposition", "clue_handling", "fault_tolerance", "false_report_clearance",
             "follow_up_visit", "integrity_opinion")
QUARTER = (date(2026, 1, 1), date(2026, 3, 31))  # the bench clock is 2026-03-02: data runs back ~23 months
OUTCOMES = ("免予问责", "不予问责", "从轻减轻问责", "不予容错", "暂未发现影响提拔任用的问题", "不宜提拔任用",
            "已向组织部门推荐使用")
SOURCES = ("信访举报", "巡视巡察移交", "审计/执法/司法移送", "监督检查发现", "上级交办", "下级报送", "主动交代")


def _pick(values: tuple, expr: str) -> str:
    """SQL CASE choosing values[expr % len(values)] (None as NULL)."""
    whens = " ".join(f"WHEN {i} THEN {'NULL' if v is None else repr(v) if isinstance(v, str) else v}"
                     for i, v in enumerate(values))
    return f"CASE ({expr}) % {len(values)} {whens} END"


def build(svc, cases: int) -> dict:
    from service.demo import create_office
    from service.models import ProcessVersion

    ids = create_office(svc)
    with svc.db.write_session() as session:
        versions = []
        for key in PROCESSES:
            version = ProcessVersion(process_key=key, version=1, name=key, sha256=key, files={},
                                     deployed_at=common.fixed_clock())
            session.add(version)
            session.flush()
            versions.append(version.id)
        departments = [row[0] for row in session.execute(text(
            "SELECT id FROM departments WHERE name IN ('第一监督检查室', '第二监督检查室') ORDER BY id"))]
    pg = not svc.db.is_sqlite
    true, false = ("true", "false") if pg else ("1", "0")
    pk = _pick(PROCESSES, "i")
    timings = {}
    with svc.db.engine.begin() as conn:
        if pg:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        start = time.perf_counter()
        conn.execute(text(
            f"WITH RECURSIVE {_numbers(pg, cases)} "
            "INSERT INTO cases (id, reference, title, process_key, process_version_id, status, outcome, stage, "
            "subject_name, subject_unit, clue_no, department, department_id, created_by_id, due_at, created_at, "
            "updated_at, closed_at, state, version, cadre_level, disposition_form, measures, clue_source, "
            "clue_channel, real_name, disposal, finding, cleared, report_type, grade, visited) "
            f"SELECT 100 + i, 'TJ-' || i, '统计样本 ' || i, {pk}, {_pick(tuple(versions), 'i')}, "
            "CASE WHEN i % 10 = 0 THEN 'open' ELSE 'completed' END, "
            f"CASE WHEN i % 10 = 0 THEN NULL ELSE {_pick(OUTCOMES, 'i / 6')} END, "
            "'', '', '', '', '', "
            f"{_pick(tuple(departments), 'i / 3')}, :u, NULL, {_ts(pg, '-i')}, {_ts(pg, '-i')}, "
            f"CASE WHEN i % 10 = 0 THEN NULL ELSE {_ts(pg, '-i + 1440 * (1 + i % 40)')} END, "
            f"{'CAST(:state AS JSON)' if pg else ':state'}, 1, "
            f"{_pick(('厅局级', '县处级', '乡科级', '一般干部', '其他', None), 'i / 7')}, "
            "1 + (i / 5) % 4, "
            f"{_pick(('|诫勉|', '|党内警告|免职|', '|谈话提醒|', '|党内严重警告|', '|开除党籍|开除公职|'), 'i / 11')}, "
            f"{_pick(SOURCES, 'i / 13')}, "
            f"{_pick(('来信', '来访', '电话', '网络'), 'i / 17')}, CASE WHEN i % 2 = 0 THEN {true} ELSE {false} END, "
            f"{_pick(('谈话函询', '初步核实', '暂存待查', '予以了结', '转送/退回', '留存备查', None), 'i / 19')}, "
            f"{_pick(('属实', '部分属实', '未查实但不能排除', '不实'), 'i / 23')}, "
            f"CASE WHEN i % 3 = 0 THEN {true} ELSE {false} END, {_pick(('诬告', '错告', None), 'i / 29')}, "
            f"{_pick(('好', '一般', '较差', None), 'i / 31')}, CASE WHEN i % 4 = 0 THEN {false} ELSE {true} END "
            "FROM nums"), {"u": ids["admin"], "state": "{}"})
        timings["cases_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        for k in (1, 2, 3):
            open_clause = "CASE WHEN i % 10 = 0 THEN NULL ELSE" if k == 3 else "CASE WHEN 1 = 1 THEN"
            conn.execute(text(
                f"WITH RECURSIVE {_numbers(pg, cases)} "
                "INSERT INTO work_items (case_id, task_id, bpmn_id, title, role, lane, instructions, due_at, "
                "created_at, completed_at, resolution) "
                f"SELECT 100 + i, 'st-{k}-' || i, {pk} || '_t{k}', '步骤{k}', 'handler', '', '', "
                f"{_ts(pg, f'-i + {k} * 2880 + 1440 * (1 + i % 7)')}, {_ts(pg, f'-i + {k} * 2880')}, "
                f"{open_clause} {_ts(pg, f'-i + {k} * 2880 + 60 * (1 + (i * 7) % 240)')} END, "
                f"{open_clause} 'completed' END FROM nums"))
        conn.execute(text(
            f"WITH RECURSIVE {_numbers(pg, cases)} "
            "INSERT INTO deadline_extensions (case_id, task_id, workdays, reason, status, requested_by_id, "
            "requested_at, decision_note) "
            f"SELECT 100 + i, 'st-2-' || i, 3, '材料多', 'approved', :u, {_ts(pg, '-i')}, '' "
            "FROM nums WHERE i % 50 = 0"), {"u": ids["admin"]})
        timings["work_items_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    with svc.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))
    timings["analyze_s"] = round(time.perf_counter() - start, 1)
    return {"ids": ids, "timings": timings, "cases": cases}


BASE = ("c.created_at >= :a AND c.created_at < :b "
        "AND c.id NOT IN (SELECT case_id FROM recusals WHERE user_id = :u)")
DAYS = "EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0"
PCT = "percentile_disc({p}) WITHIN GROUP (ORDER BY {d})"

# Hand-written PostgreSQL for the same numbers as each group (GROUP BY where the service counts cells).
HAND_SQL = {
    "four-forms": [
        "SELECT c.cadre_level, c.disposition_form, count(*) FROM cases c "
        "WHERE c.process_key = 'four_forms_disposition' "
        f"AND c.status = 'completed' AND c.disposition_form IS NOT NULL AND {BASE} GROUP BY 1, 2",
        "SELECT m, count(*) FROM cases c, unnest(string_to_array(trim(both '|' from c.measures), '|')) m "
        f"WHERE c.process_key = 'four_forms_disposition' AND c.status = 'completed' AND {BASE} GROUP BY m",
    ],
    "clues": [
        "SELECT c.clue_source, c.clue_channel, c.real_name, c.disposal, c.status, count(*) FROM cases c "
        f"WHERE c.process_key = 'clue_handling' AND {BASE} GROUP BY 1, 2, 3, 4, 5",
        f"SELECT count(*), avg(d), {PCT.format(p=0.5, d='d')}, {PCT.format(p=0.9, d='d')} FROM ("
        f"SELECT w.case_id, {DAYS.format(start='min(c.created_at)', end='max(w.completed_at)')} AS d "
        "FROM work_items w JOIN cases c ON c.id = w.case_id WHERE c.process_key = 'clue_handling' "
        f"AND w.bpmn_id = 'propose_disposal' AND w.resolution = 'completed' AND {BASE} GROUP BY w.case_id) x",
        "SELECT count(DISTINCT w.case_id), count(DISTINCT w.case_id) FILTER (WHERE w.completed_at <= w.due_at), "
        "count(DISTINCT w.case_id) FILTER (WHERE w.completed_at > w.due_at) FROM work_items w JOIN cases c "
        "ON c.id = w.case_id WHERE c.process_key = 'clue_handling' AND w.bpmn_id = 'feedback_result' "
        f"AND w.resolution = 'completed' AND {BASE}",
    ],
    "timeliness": [
        "SELECT c.process_key, w.bpmn_id, max(w.title), count(*) FILTER (WHERE w.resolution = 'completed'), "
        "count(*) FILTER (WHERE w.resolution = 'completed' AND w.due_at IS NOT NULL), "
        "count(*) FILTER (WHERE w.resolution = 'completed' AND w.completed_at <= w.due_at), "
        "count(DISTINCT w.case_id) FILTER (WHERE w.resolution = 'completed'), "
        "count(DISTINCT w.case_id) FILTER (WHERE w.resolution = 'completed' AND w.completed_at <= w.due_at), "
        "count(DISTINCT w.case_id) FILTER (WHERE w.resolution = 'completed' AND w.completed_at > w.due_at), "
        "count(DISTINCT w.case_id) FILTER (WHERE w.completed_at IS NULL AND w.due_at < :now), "
        f"{PCT.format(p=0.5, d=DAYS.format(start='w.created_at', end='w.completed_at'))}, "
        f"{PCT.format(p=0.9, d=DAYS.format(start='w.created_at', end='w.completed_at'))} "
        f"FROM work_items w JOIN cases c ON c.id = w.case_id WHERE {BASE} GROUP BY 1, 2",
        "SELECT c.process_key, w.bpmn_id, count(DISTINCT w.case_id) FROM work_items w JOIN cases c ON c.id = w.case_id "
        "JOIN deadline_extensions e ON e.task_id = w.task_id AND e.status = 'approved' "
        f"WHERE {BASE} GROUP BY 1, 2",
        "SELECT c.process_key, w.bpmn_id, count(DISTINCT w.case_id) FROM work_items w JOIN cases c ON c.id = w.case_id "
        "JOIN deadline_suspensions s ON s.task_id = w.task_id AND s.status = 'approved' "
        f"WHERE {BASE} GROUP BY 1, 2",
    ],
    "tolerance": [f"SELECT c.status, c.outcome, count(*) FROM cases c WHERE c.process_key = 'fault_tolerance' "
                  f"AND {BASE} GROUP BY 1, 2"],
    "clearance": [f"SELECT c.finding, c.cleared, c.report_type, c.status, count(*) FROM cases c "
                  f"WHERE c.process_key = 'false_report_clearance' AND {BASE} GROUP BY 1, 2, 3, 4"],
    "follow-up": [f"SELECT c.visited, c.grade, c.outcome, count(*) FROM cases c "
                  f"WHERE c.process_key = 'follow_up_visit' AND {BASE} GROUP BY 1, 2, 3"],
    "integrity-opinions": [
        f"SELECT c.status, c.outcome, count(*) FROM cases c WHERE c.process_key = 'integrity_opinion' "
        f"AND {BASE} GROUP BY 1, 2",
        f"SELECT count(*), avg(d), {PCT.format(p=0.5, d='d')}, {PCT.format(p=0.9, d='d')} FROM ("
        f"SELECT {DAYS.format(start='c.created_at', end='c.closed_at')} AS d FROM cases c "
        f"WHERE c.process_key = 'integrity_opinion' AND c.status = 'completed' AND {BASE}) x",
    ],
}


def _time(func, repeat: int) -> list[float]:
    func()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def measure(svc, data: dict, repeat: int) -> list[dict]:
    from service.cases.accounts import load_user
    from service.cases.stats.filters import Facets, local_midnight
    from service.cases.stats.queries import GROUPS, figures

    now = common.fixed_clock()
    facets = Facets(date_from=QUARTER[0], date_to=QUARTER[1], zone=svc.config.TIMEZONE)
    params = {"a": local_midnight(QUARTER[0], facets.zone), "u": data["ids"]["leader"], "now": now,
              "b": local_midnight(date(QUARTER[1].year, QUARTER[1].month + 1, 1), facets.zone)}
    pg = not svc.db.is_sqlite
    rows = []
    with svc.db.read_session() as session:
        leader = load_user(session, data["ids"]["leader"])
        for group in GROUPS:
            service = _time(lambda group=group: figures(session, leader, group, facets, now), repeat)
            row = {"group": group, "service": _stats(service)}
            if pg:
                statements = [text(sql) for sql in HAND_SQL[group]]
                hand = _time(lambda statements=statements: [session.execute(s, params).all() for s in statements],
                             repeat)
                row["sql"] = _stats(hand)
                row["ratio_p50"] = round(row["service"]["p50_ms"] / max(row["sql"]["p50_ms"], 1e-6), 2)
            rows.append(row)
        session.rollback()
    return rows


def _stats(samples: list[float]) -> dict:
    return {"p50_ms": common.ms(common.percentile(samples, 0.5)), "p95_ms": common.ms(common.percentile(samples, 0.95))}


def run(quick: bool = False, kinds: tuple[str, ...] = ("postgresql", "sqlite"), cases: int | None = None) -> dict:
    out: dict = {"stats": {}}
    for kind in kinds:
        size = cases or (2_000 if quick else SIZES[kind])
        repeat = 3 if quick else 10
        with common.database(kind) as url:
            svc = common.services(url)
            data = build(svc, size)
            rows = measure(svc, data, repeat)
            svc.db.dispose()
        print(common.table(
            f"Statistics ({kind}, {size:,} cases, {3 * size:,} work items, one quarter, read by the principal; "
            f"load {data['timings']})",
            ["group", "service p50 ms", "service p95 ms", "SQL p50 ms", "SQL p95 ms", "ratio p50"],
            [[r["group"], r["service"]["p50_ms"], r["service"]["p95_ms"], r.get("sql", {}).get("p50_ms", "—"),
              r.get("sql", {}).get("p95_ms", "—"), r.get("ratio_p50", "—")] for r in rows]))
        worst = max(r["service"]["p95_ms"] for r in rows)
        out["stats"][kind] = {"cases": size, "load": data["timings"], "rows": rows}
        if kind == "postgresql":
            out["stats_p95_ms_pg" + ("_1m" if size == SIZES[kind] else f"_{size}")] = worst
            out["stats_ratio_vs_sql"] = max(r["ratio_p50"] for r in rows)
        else:
            out["stats_p95_ms_sqlite" + ("_100k" if size == SIZES[kind] else f"_{size}")] = worst
    return out


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.stats")
    parser.add_argument("--kind", choices=["postgresql", "sqlite"], action="append")
    parser.add_argument("--cases", type=int)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps({k: v for k, v in run(args.quick, tuple(args.kind or ("postgresql", "sqlite")),
                                           args.cases).items() if k != "stats"}, indent=2))
