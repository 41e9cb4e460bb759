"""Shared fixtures: an app on a clean database (SQLite by default, PostgreSQL with
QINGFENG_TEST_DATABASE_URL), an injectable clock, one user per role, logged-in API clients."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from service import create_app
from service.config import Config
from service.db import Base
from service.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "qingfeng-demo"
ROLE_USERS = {
    "intake": ("intake", "甄受理", ["intake"]),
    "handler": ("handler", "郝承办", ["handler"]),
    "handler2": ("handler2", "钱承办", ["handler"]),
    "supervisor": ("supervisor", "孙主任", ["supervisor"]),
    "supervisor2": ("supervisor2", "李主任", ["supervisor"]),
    "deputy": ("deputy", "赵副书记", ["deputy"]),
    "leader": ("leader", "周书记", ["leader"]),
    "committee": ("committee", "吴记录", ["committee"]),
    "designer": ("designer", "郑设计", ["designer"]),
    "auditor": ("auditor", "冯审计", ["auditor"]),
    "admin": ("admin", "卫管理", ["admin"]),
}


class Clock:
    """A settable clock for the engine, timers and deadlines."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> None:
        self.now = datetime.fromisoformat(iso).astimezone(UTC)

    def advance(self, **kwargs) -> None:
        self.now = self.now + timedelta(**kwargs)


def database_url() -> str:
    return os.environ.get("QINGFENG_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    url = database_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'qingfeng-test.db'}"
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def _wipe(app) -> None:
    engine = app.extensions["qingfeng"].db.engine
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (fixed table names)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 2026-03-02 09:00 Asia/Shanghai, a Monday


@pytest.fixture
def app(db_url, clock, tmp_path_factory):
    config = Config.from_env(DATABASE_URL=db_url, SECRET_KEY="test-secret", TESTING=True,
                             PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", BPMN_DIR=str(ROOT / "bpmn"),
                             ATTACHMENT_DIR=str(tmp_path_factory.mktemp("attachments")))
    application = create_app(config, clock=clock)
    application.config["WTF_CSRF_ENABLED"] = False
    _wipe(application)
    yield application
    application.extensions["qingfeng"].db.dispose()


@pytest.fixture
def svc(app):
    return app.extensions["qingfeng"]


@pytest.fixture
def users(svc) -> dict[str, int]:
    """One user per role (plus handler2, supervisor2), password `qingfeng-demo`; name -> id."""
    from service.cases import accounts

    return {key: accounts.create_user(svc, username, name, PASSWORD, roles, "第一监督检查室")
            for key, (username, name, roles) in ROLE_USERS.items()}


class ApiClient:
    """A test client logged in through POST /api/v1/session."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        self.client.environ_base["HTTP_ORIGIN"] = "http://localhost"  # as a browser on this site sends it
        response = self.client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        self.user = response.json["user"]

    def get(self, path, **kw):
        return self.client.get(f"/api/v1{path}", **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json if json is not None else {}, **kw)


@pytest.fixture
def api(app, users):
    """api('handler') -> a logged-in ApiClient."""
    clients: dict[str, ApiClient] = {}

    def make(name: str) -> ApiClient:
        if name not in clients:
            clients[name] = ApiClient(app, ROLE_USERS[name][0])
        return clients[name]

    return make


def read_files(directory: Path) -> dict[str, bytes]:
    """All files below `directory` keyed by their relative path (forms/... included)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def with_settings(files: dict[str, bytes], process_key: str, values: dict) -> dict[str, bytes]:
    """The files with the process's settings document carrying `values` (as a designer edits it)."""
    import json

    name = f"settings/{process_key}.json"
    schema = json.loads(files[name])
    for key, value in values.items():
        schema["properties"][key]["default"] = value
    return {**files, name: json.dumps(schema, ensure_ascii=False, indent=2).encode()}


@pytest.fixture
def deploy(svc):
    """deploy(files) -> DeployResult, deployed by the system (no user)."""
    from service.cases.actions import deploy_process

    def run(files: dict[str, bytes]):
        return deploy_process(svc, None, files)

    return run


@pytest.fixture(scope="session")
def output_dir() -> Path:
    path = ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


