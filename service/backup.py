"""`qingfeng backup PATH` / `qingfeng restore PATH [--force]`: a consistent copy of the database and the
uploaded files, with a manifest of sha256 hashes, taken while the service runs.

A backup is a directory:
  manifest.json       format, time, schema revision, row counts per table, every file with size and sha256
  database.sqlite3    SQLite: a copy made with SQLite's online backup API (consistent under concurrent writes)
  database.pgdump     PostgreSQL: `pg_dump --format=custom` (one snapshot; restored with pg_restore)
  files/<store>/...   the files of every file store (`file_stores`), e.g. case attachments

Restore checks every hash first, refuses a database (or file store) that holds data unless `--force`,
replaces the database, migrates it to this version's schema, restores the files, then recomputes
every audit hash chain and compares the row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from service.cases import audit
from service.config import Config
from service.db import Base

FORMAT = "qingfeng-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (shown to the operator)."""


@dataclass(frozen=True)
class FileStore:
    """A directory of uploaded files that belongs in every backup (attachments and the like)."""

    name: str
    root: Path


def file_stores(config: Config) -> list[FileStore]:
    """The file stores to back up. Nothing is uploaded outside the database yet: the attachments
    feature adds its directory here (e.g. `FileStore("attachments", Path(config.ATTACHMENTS_DIR))`)."""
    return []


@dataclass
class RestoreReport:
    tables: dict[str, int]
    chains_checked: int
    broken_chains: list[str] = field(default_factory=list)
    count_mismatches: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.broken_chains and not self.count_mismatches


# ---- helpers -------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份")
    return path


def _pg_command_env(url: str) -> tuple[str, dict]:
    """A libpq URI without the password (not visible in `ps`) and the environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}（PostgreSQL 客户端工具，如 Debian 的 postgresql-client）")
    return found


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the schema (tables that do not exist yet are left out)."""
    existing = set(inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in existing:
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


def schema_revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _store_files(store: FileStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file()) if store.root.exists() else []


# ---- backup --------------------------------------------------------------------------------

def backup(config: Config, target: Path, now: datetime | None = None) -> dict:
    """Write a backup into `target` (a new or empty directory); returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"目标目录不为空：{target}")
    target.mkdir(parents=True, exist_ok=True)
    url = config.DATABASE_URL
    engine = create_engine(url)
    try:
        counts, revision = table_counts(engine), schema_revision(engine)
    finally:
        engine.dispose()
    if _is_sqlite(url):
        database_file = target / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(database_file)
        try:
            source.backup(copy)  # page by page under SQLite's locks: consistent while the service writes
        finally:
            copy.close()
            source.close()
    else:
        database_file = target / PG_FILE
        uri, env = _pg_command_env(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(database_file),
              "--dbname", uri], env)
    files = [_entry(target, database_file)]
    for store in file_stores(config):
        for path in _store_files(store):
            copy_to = target / "files" / store.name / path.relative_to(store.root)
            copy_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy_to)
            files.append(_entry(target, copy_to))
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "database": {"kind": "sqlite" if _is_sqlite(url) else "postgresql", "file": database_file.name,
                     "schema_revision": revision},
        "tables": counts, "file_stores": [store.name for store in file_stores(config)], "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _entry(root: Path, path: Path) -> dict:
    return {"path": path.relative_to(root).as_posix(), "bytes": path.stat().st_size, "sha256": sha256_file(path)}


# ---- restore -------------------------------------------------------------------------------

def read_manifest(source: Path) -> dict:
    """The manifest of a backup, after checking every listed file against its size and hash."""
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"不是清风备份（缺少 {MANIFEST}）：{source}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("备份格式不受支持")
    for entry in manifest["files"]:
        file = Path(source) / entry["path"]
        if not file.is_file() or file.stat().st_size != entry["bytes"] or sha256_file(file) != entry["sha256"]:
            raise BackupError(f"备份文件缺失或已被改动：{entry['path']}")
    return manifest


def holds_data(url: str) -> bool:
    engine = create_engine(url)
    try:
        return any(table_counts(engine).values())
    finally:
        engine.dispose()


def restore(config: Config, source: Path, force: bool = False) -> RestoreReport:
    """Replace the database (and file stores) with the backup in `source`, then verify it."""
    from service.migrate import upgrade

    source = Path(source)
    manifest = read_manifest(source)
    url = config.DATABASE_URL
    kind = "sqlite" if _is_sqlite(url) else "postgresql"
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"备份来自 {manifest['database']['kind']}，当前数据库是 {kind}")
    stores = {store.name: store for store in file_stores(config)}
    if not force:
        if holds_data(url):
            raise BackupError("目标数据库已有数据；确认要用备份覆盖它时加 --force")
        if any(_store_files(store) for store in stores.values()):
            raise BackupError("目标文件目录已有文件；确认要用备份覆盖它时加 --force")
    database_file = source / manifest["database"]["file"]
    if kind == "sqlite":
        _restore_sqlite(url, database_file)
    else:
        _restore_pg(url, database_file)
    upgrade(url)  # a backup of an older version gets this version's schema
    restored_files = _restore_files(source, manifest, stores)
    return verify_restored(url, manifest, restored_files)


def _restore_sqlite(url: str, database_file: Path) -> None:
    path = _sqlite_path(url)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    backup_conn = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        backup_conn.backup(target)  # replaces every page of the target, under its write lock
    finally:
        target.close()
        backup_conn.close()


def _restore_pg(url: str, database_file: Path) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:  # an empty public schema, so the dump's objects do not collide
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    uri, env = _pg_command_env(url)
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", uri, str(database_file)], env)


def _restore_files(source: Path, manifest: dict, stores: dict[str, FileStore]) -> int:
    restored = 0
    for name in manifest.get("file_stores", []):
        store = stores.get(name)
        if store is None:
            raise BackupError(f"备份含文件目录 {name}，本版本没有这个目录的配置")
        if store.root.exists():
            shutil.rmtree(store.root)
        store.root.mkdir(parents=True)
        prefix = f"files/{name}/"
        for entry in manifest["files"]:
            if entry["path"].startswith(prefix):
                destination = store.root / entry["path"][len(prefix):]
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / entry["path"], destination)
                restored += 1
    return restored


def verify_restored(url: str, manifest: dict, files: int) -> RestoreReport:
    """Row counts against the manifest and every audit chain recomputed (what `verify-audit` does)."""
    from sqlalchemy.orm import Session

    engine = create_engine(url)
    try:
        counts = table_counts(engine)
        mismatches = [f"{name}: 备份 {expected} 行，恢复后 {counts.get(name)} 行"
                      for name, expected in manifest["tables"].items() if counts.get(name) != expected]
        with Session(engine) as session:
            reports = [audit.verify(session, chain) for chain in audit.all_chains(session)]
    finally:
        engine.dispose()
    return RestoreReport(tables=counts, chains_checked=len(reports),
                         broken_chains=[f"{r.chain} 第 {r.broken_seq} 条：{r.reason}" for r in reports if not r.valid],
                         count_mismatches=mismatches, files=files)
