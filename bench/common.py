"""Shared helpers: throw-away databases, services on them, the loop process, timing and table printing."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
PG_ADMIN_URL = os.environ.get("QINGFENG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LOOP_KEY = "bench_loop"
# The same ~220-character opinion every round (engine-notes §5 loop benchmark).
OPINION = ("经复核，承办人提出的处置意见事实清楚、证据充分、定性准确、处理恰当，程序合法，"
           "建议按照相关规定予以办理。同时请承办部门注意做好当事人的思想政治工作，"
           "督促其深刻认识错误、认真整改落实，并将整改情况按时书面报告。"
           "本意见经部门集体研究同意，现提交复核。请在规定时限内完成后续工作，"
           "并及时录入系统，确保案件材料完整、手续齐全、归档规范，做到全程留痕。")
PASSWORD = "bench-password"  # noqa: S105 (throw-away users of a throw-away database)


def fixed_clock() -> datetime:
    return datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def loop_files() -> dict[str, bytes]:
    root = FIXTURES / LOOP_KEY
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def loop_data(round_no: int) -> dict:
    return {"opinion": OPINION, "round_no": round_no, "reviewer": "郝承办"}


# ---- databases -----------------------------------------------------------------------------

def pg_available() -> bool:
    """True when the bench PostgreSQL server answers."""
    try:
        import psycopg

        with psycopg.connect(_libpq(PG_ADMIN_URL), connect_timeout=3):
            return True
    except Exception:
        return False


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def sqlite_database(tmpdir: str | None = None) -> Iterator[str]:
    """A fresh migrated SQLite file; removed afterwards."""
    from service.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="qf-bench-", dir=tmpdir) as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        yield url


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh migrated PostgreSQL database, created and dropped by the bench."""
    import psycopg

    from service.migrate import upgrade

    name = f"qf_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str) -> Iterator[str]:
    with (sqlite_database() if kind == "sqlite" else pg_database()) as url:
        yield url


def served_token(url: str, actor: int, name: str) -> str:
    """A bearer token for an app served on the real clock (tokens expire, so not from the fixed clock)."""
    from service.cases import accounts

    real = services(url, clock=lambda: datetime.now(UTC))
    try:
        return accounts.issue_token(real, actor, name)
    finally:
        real.db.dispose()


def services(url: str, clock=fixed_clock):
    """The case services (no Flask app) on `url`."""
    from service.config import Config
    from service.runtime import build_services

    config = Config.from_env(DATABASE_URL=url, SECRET_KEY="bench-secret", PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    return build_services(config, clock)


def seed(svc) -> dict:
    """A handler user and the loop process deployed; returns ids."""
    from service.cases import accounts
    from service.cases.actions import deploy_process

    handler = accounts.create_user(svc, "handler", "郝承办", PASSWORD, ["handler"], "第一监督检查室")
    deploy_process(svc, None, loop_files())
    return {"handler": handler}


def ready_task(svc, case_id: int) -> str:
    """The task id of the case's open work item."""
    with svc.db.read_session() as session:
        return session.execute(text("SELECT task_id FROM work_items WHERE case_id = :c AND completed_at IS NULL"),
                               {"c": case_id}).scalar_one()


def state_bytes(svc, case_id: int) -> int:
    """Bytes of the stored state column as the database holds it (UTF-8 text)."""
    with svc.db.read_session() as session:
        raw = session.execute(text("SELECT CAST(state AS TEXT) FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
    return len(raw.encode("utf-8"))


def drive(svc, actor: int, case_id: int, steps: int, first_round: int = 1) -> None:
    """Complete `steps` loop rounds of a case through the real action."""
    from service.cases.actions import complete_task

    for i in range(steps):
        complete_task(svc, actor, ready_task(svc, case_id), loop_data(first_round + i))


# ---- measuring and printing ----------------------------------------------------------------

def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def median_ms(samples: list[float]) -> float:
    return ms(statistics.median(samples)) if samples else 0.0


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of samples, nearest rank."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def table(title: str, headers: list[str], rows: list[list]) -> str:
    """A GitHub-markdown table (printed and pasted into bench/README.md)."""
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return str(value)
    lines = [f"### {title}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fast_forward(svc, actor: int, case_id: int, steps: int) -> None:
    """Give a case `steps` rounds of history quickly: run the engine in memory, then write the rows
    the real actions would have written (completed work items, one audit event per round, the state).

    Driving 1,000 rounds through `complete_task` costs a commit (an fsync on SQLite) per round; the
    measured completions afterwards always go through the real action.
    """
    from service.cases import audit
    from service.models import Case, ProcessVersion, User, WorkItem

    engine = svc.engine
    with svc.db.write_session() as session:
        case = session.get(Case, case_id)
        user = session.get(User, actor)
        bundle = svc.bundle(session.get(ProcessVersion, case.process_version_id))
        wf = engine.restore(bundle, case.state)
        open_item = session.query(WorkItem).filter_by(case_id=case_id, completed_at=None).one()
        now = svc.now()
        for i in range(steps):
            if i and i % 50 == 0:  # the service dumps (and the engine may prune) every step; do it now and then
                wf = engine.restore(bundle, engine.dump(wf))
            [task] = engine.ready_human_tasks(wf)
            engine.complete(wf, task.id, loop_data(i + 1))
            if i == 0:
                open_item.completed_at, open_item.resolution, open_item.completed_by_id = now, "completed", actor
            else:
                session.add(WorkItem(case_id=case_id, task_id=task.id, bpmn_id=task.bpmn_id, title=task.name,
                                     role=task.role or "", form=task.form, created_at=now, completed_at=now,
                                     completed_by_id=actor, resolution="completed"))
            audit.append(session, chain=audit.case_chain(case_id), at=now, action="task_completed", actor_id=actor,
                         actor_name=user.display_name, case_id=case_id, task_bpmn_id=task.bpmn_id,
                         task_title=task.name, summary={"data": audit.summarize(loop_data(i + 1))})
        [task] = engine.ready_human_tasks(wf)
        session.add(WorkItem(case_id=case_id, task_id=task.id, bpmn_id=task.bpmn_id, title=task.name,
                             role=task.role or "", form=task.form, created_at=now))
        case.state = engine.dump(wf)
        case.version = (case.version or 0) + steps
