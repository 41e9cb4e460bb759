"""2. Against the naive way: SpiffWorkflow's example persistence (whole workflow, spec included,
serialized into one row with `serialize_json` after every step) versus `actions.complete_task`.

Both start from the same workflow at the same history: the service case is fast-forwarded, then its
restored workflow is serialized the naive way into a `naive_workflows` row of the same database
(same engine settings: SQLite WAL + synchronous=FULL, or PostgreSQL). The naive step does only
lock, read, deserialize, complete, engine steps, serialize, write and commit: no checks, no
projections, no audit.
"""

from __future__ import annotations

import time

from sqlalchemy import text

from bench import common
from bench.growth import measure_level


def full_serializer():
    """The serializer of SpiffWorkflow's examples: whole workflow including the spec."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def naive_step(svc, serializer, row_id: int, data: dict) -> int:
    """One naive completion in one transaction; returns the stored bytes."""
    from SpiffWorkflow.util.task import TaskState

    with svc.db.engine.connect().execution_options(qingfeng_write=True) as conn, conn.begin():
        lock = "" if svc.db.is_sqlite else " FOR UPDATE"
        blob = conn.execute(text(f"SELECT state FROM naive_workflows WHERE id = :i{lock}"), {"i": row_id}).scalar_one()
        wf = serializer.deserialize_json(blob)
        wf.script_engine = svc.engine.script_engine
        task = wf.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(**data)
        task.run()
        wf.do_engine_steps()
        blob = serializer.serialize_json(wf)
        conn.execute(text("UPDATE naive_workflows SET state = :s WHERE id = :i"), {"s": blob, "i": row_id})
    return len(blob.encode("utf-8"))


def prepare_naive_row(svc, serializer, case_id: int) -> int:
    """Store the case's current workflow the naive way; returns the row id."""
    from service.models import Case, ProcessVersion

    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        bundle = svc.bundle(session.get(ProcessVersion, case.process_version_id))
        wf = svc.engine.restore(bundle, case.state)
    blob = serializer.serialize_json(wf)
    with svc.db.engine.begin() as conn:
        conn.execute(text("INSERT INTO naive_workflows (id, state) VALUES (:i, :s)"), {"i": case_id, "s": blob})
    return case_id


def measure(svc, actor: int, history: int, completions: int) -> dict:
    from service.cases.actions import start_case

    serializer = full_serializer()
    service = measure_level(svc, actor, history, completions)
    # A second case at the same history feeds the naive row, so both sides start from the same point.
    case_id = start_case(svc, actor, common.LOOP_KEY, f"朴素 {history} 轮", {})
    common.fast_forward(svc, actor, case_id, history)
    row_id = prepare_naive_row(svc, serializer, case_id)
    samples, size = [], 0
    for i in range(completions):
        start = time.perf_counter()
        size = naive_step(svc, serializer, row_id, common.loop_data(history + i + 1))
        samples.append(time.perf_counter() - start)
    naive_ms = common.median_ms(samples)
    return {"history": history, "service_ms": service["median_ms"], "naive_ms": naive_ms,
            "speedup": round(naive_ms / service["median_ms"], 2), "service_state_bytes": service["state_bytes"],
            "naive_state_bytes": size, "service_split_ms": service["split_ms"]}


def run(quick: bool = False, kind: str = "sqlite") -> dict:
    levels = (2, 6) if quick else (10, 300)
    completions = 2 if quick else 7
    with common.database(kind) as url:
        svc = common.services(url)
        ids = common.seed(svc)
        with svc.db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE naive_workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL)"))
        rows = [measure(svc, ids["handler"], h, completions) for h in levels]
        svc.db.dispose()
    top = rows[-1]
    print(common.table(
        f"Against the naive way ({kind}): median ms per completion; speedup at {top['history']} = {top['speedup']}×",
        ["history", "service ms", "naive ms", "speedup (naive/service)", "service state KB", "naive state KB"],
        [[r["history"], r["service_ms"], r["naive_ms"], r["speedup"], round(r["service_state_bytes"] / 1024, 1),
          round(r["naive_state_bytes"] / 1024, 1)] for r in rows]))
    return {"speedup_vs_naive_at_300": top["speedup"],  # canonical names; --quick uses tiny histories
            "speedup_vs_naive_at_10": rows[0]["speedup"],
            "naive": {"database": kind, "levels": rows}}
