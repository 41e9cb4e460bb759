"""`qingfeng backup` / `qingfeng restore`: a round trip gives back every table row for row, on SQLite and
PostgreSQL; restore refuses a database with data unless --force, and a backup whose files changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from service.backup import FileStore
from service.cases import accounts
from service.cli import main
from service.db import Base
from service.demo import load_demo
from service.deploy import deploy_directory
from service.migrate import upgrade
from service.timer_worker import run_once

pytestmark = pytest.mark.slow


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema revision), in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                   for t in Base.metadata.sorted_tables}
            out["alembic_version"] = [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()
    return out


def run_cli(url: str, *args: str):
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url, "QINGFENG_SECRET_KEY": "backup-test"},
                              catch_exceptions=False)


@pytest.fixture
def office(svc, clock):
    """The demo office (cases open and completed across every process), plus a fired timer, API tokens,
    failed and successful logins and a reporter; returns the database snapshot."""
    deploy_directory(svc, Path(svc.config.BPMN_DIR))
    load_demo(svc, only_if_empty=False)
    clock.advance(days=40)
    assert run_once(svc) >= 1  # deadline timers fired: escalated steps, timer_fired events
    with svc.db.read_session() as session:
        admin = session.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar_one()
    accounts.issue_token(svc, admin, "backup test")
    with pytest.raises(Exception):  # noqa: B017 (the failed login is recorded, then refused)
        accounts.authenticate(svc, "admin", "wrong password")
    state = snapshot(svc.config.DATABASE_URL)
    statuses = {row[Base.metadata.tables["cases"].c.keys().index("status")] for row in state["cases"]}
    assert statuses == {"open", "completed"}
    for table in ("users", "process_versions", "cases", "work_items", "timers", "audit_events", "reporters",
                  "api_tokens", "login_attempts", "case_links"):
        assert state[table], f"the office has no {table}"
    svc.db.dispose()
    yield state
    upgrade(svc.config.DATABASE_URL)  # a test that emptied the schema (PostgreSQL) leaves it migrated for the next


def fresh_database_url(url: str, tmp_path: Path) -> str:
    """An empty database next to the test one (PostgreSQL: the same database with its schema emptied)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_backup_and_restore_round_trip_every_table_and_refuse_to_overwrite_without_force(
        svc, office, tmp_path):
    url = svc.config.DATABASE_URL
    target = tmp_path / "backup"
    made = run_cli(url, "backup", str(target))
    assert made.exit_code == 0, made.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["tables"]["cases"] == len(office["cases"])
    assert manifest["database"]["schema_revision"] == office["alembic_version"][0][0]
    assert [f["path"] for f in manifest["files"]] == [manifest["database"]["file"]]

    refused = run_cli(url, "restore", str(target))
    assert refused.exit_code != 0 and "--force" in refused.output

    accounts.create_user(svc, "latecomer", "后来者", "qingfeng-demo", ["handler"], "")  # changes after the backup
    svc.db.dispose()
    assert snapshot(url) != office

    restored = run_cli(url, "restore", "--force", str(target))
    assert restored.exit_code == 0, restored.output
    assert "全部完好" in restored.output
    assert snapshot(url) == office

    empty = fresh_database_url(url, tmp_path)
    into_empty = run_cli(empty, "restore", str(target))
    assert into_empty.exit_code == 0, into_empty.output
    assert snapshot(empty) == office


def test_restore_refuses_a_backup_whose_database_file_changed(svc, office, tmp_path):
    url = svc.config.DATABASE_URL
    target = tmp_path / "backup"
    assert run_cli(url, "backup", str(target)).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    database_file = target / manifest["database"]["file"]
    data = bytearray(database_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database_file.write_bytes(bytes(data))
    refused = run_cli(url, "restore", "--force", str(target))
    assert refused.exit_code != 0 and "已被改动" in refused.output
    assert snapshot(url) == office


def test_file_stores_are_backed_up_with_hashes_and_restored(svc, office, tmp_path, monkeypatch):
    store = tmp_path / "attachments"
    (store / "case-1").mkdir(parents=True)
    (store / "case-1" / "谈话笔录.pdf").write_bytes(b"%PDF-1.7 fictional")
    (store / "case-1" / "photo.jpg").write_bytes(bytes(range(256)))
    monkeypatch.setattr("service.backup.file_stores", lambda _config: [FileStore("attachments", store)])
    url = svc.config.DATABASE_URL
    target = tmp_path / "backup"
    assert run_cli(url, "backup", str(target)).exit_code == 0
    manifest = json.loads((target / "manifest.json").read_text())
    assert sorted(f["path"] for f in manifest["files"][1:]) == ["files/attachments/case-1/photo.jpg",
                                                                "files/attachments/case-1/谈话笔录.pdf"]
    (store / "case-1" / "photo.jpg").unlink()
    (store / "stray.txt").write_text("after the backup")
    restored = run_cli(url, "restore", "--force", str(target))
    assert restored.exit_code == 0, restored.output
    assert sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file()) == [
        "case-1/photo.jpg", "case-1/谈话笔录.pdf"]
    assert (store / "case-1" / "photo.jpg").read_bytes() == bytes(range(256))

    empty = fresh_database_url(url, tmp_path)
    refused = run_cli(empty, "restore", str(target))  # an empty database, but the file store holds files
    assert refused.exit_code != 0 and "--force" in refused.output
