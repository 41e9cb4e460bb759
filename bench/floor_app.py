"""The floors of the end-to-end benchmark: the rows a completion writes, with no engine.

`write_completion` is one transaction writing what `complete_task` writes for a loop round (lock and
read the case with its state, close the work item, open the next one, clear timers, write the case
row with its state, append a hash-chained audit event), on the service's own engine settings
(`service.db.Database`: SQLite WAL + synchronous=FULL + BEGIN IMMEDIATE, or PostgreSQL).
Floor (a) calls it directly; floor (b) is `create_app()`, one Flask endpoint served by the same
gunicorn settings as the service (`gunicorn 'bench.floor_app:create_app()'`, env DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from service.db import Database
from service.models import AuditEvent, Case, Timer, WorkItem

SUMMARY = {"data": {"opinion": "…", "round_no": 0, "reviewer": "郝承办"}, "reporter_recorded": False}


def write_completion(db: Database, task_id: str, actor_id: int = 1) -> str:
    """Complete `task_id` the way the service's rows change, without the engine; returns the next task id."""
    items, cases, events = WorkItem.__table__, Case.__table__, AuditEvent.__table__
    now = datetime.now(UTC)
    with db.engine.connect().execution_options(qingfeng_write=True) as conn, conn.begin():
        item = conn.execute(select(items.c.id, items.c.case_id, items.c.bpmn_id, items.c.title, items.c.role,
                                   items.c.form).where(items.c.task_id == task_id)).one()
        lock = select(cases.c.version, cases.c.state).where(cases.c.id == item.case_id)
        case = conn.execute(lock if db.is_sqlite else lock.with_for_update()).one()
        conn.execute(update(items).where(items.c.id == item.id)
                     .values(completed_at=now, resolution="completed", completed_by_id=actor_id))
        next_id = str(uuid.uuid4())
        conn.execute(insert(items).values(case_id=item.case_id, task_id=next_id, bpmn_id=item.bpmn_id, lane="",
                                          title=item.title, role=item.role, form=item.form, instructions="",
                                          created_at=now))
        conn.execute(delete(Timer.__table__).where(Timer.__table__.c.case_id == item.case_id))
        conn.execute(update(cases).where(cases.c.id == item.case_id)
                     .values(state=case.state, version=case.version + 1, stage=item.title, updated_at=now))
        chain = f"case:{item.case_id}"
        last = conn.execute(select(events.c.seq, events.c.hash).where(events.c.chain == chain)
                            .order_by(events.c.seq.desc()).limit(1)).first()
        seq, prev = (last.seq + 1, last.hash) if last else (1, "0" * 64)
        body = json.dumps({"chain": chain, "seq": seq, "at": now.isoformat(), "summary": SUMMARY},
                          ensure_ascii=False, sort_keys=True)
        conn.execute(insert(events).values(
            chain=chain, seq=seq, case_id=item.case_id, at=now, actor_id=actor_id, actor_name="郝承办",
            action="task_completed", task_bpmn_id=item.bpmn_id, task_title=item.title, summary=SUMMARY,
            prev_hash=prev, hash=hashlib.sha256((prev + body).encode()).hexdigest()))
    return next_id


def create_app():
    """A Flask app with one endpoint: POST /floor/tasks/<task_id>/complete -> {"next_task_id": ...}."""
    from flask import Flask, jsonify

    app = Flask(__name__)
    db = Database(os.environ["DATABASE_URL"])
    actor_id = int(os.environ.get("BENCH_ACTOR_ID", "1"))

    @app.post("/floor/tasks/<task_id>/complete")
    def complete(task_id):
        return jsonify(next_task_id=write_completion(db, task_id, actor_id))

    @app.get("/floor/healthz")
    def healthz():
        return jsonify(ok=True)

    return app
