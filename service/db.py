"""Database wiring: engines per app, a read session per request, write sessions owned by actions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every model."""


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, full sync, foreign keys and explicit BEGIN handling."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, pool_size=10, max_overflow=40,
                               connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    """Let writers take the write lock at BEGIN so a stale snapshot can never be upgraded."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get("qingfeng_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine and session factories of one app."""

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._factory = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self._commits = count(1)
        self._stamp_lock = threading.Lock()
        self.commit_stamp = 0  # changes after every committed write (service/reads.py renews snapshots on it)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def read_session(self) -> Session:
        """A session for queries; it never commits."""
        return self._factory()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transaction holds the write lock (SQLite) and commits once, or rolls back."""
        session = self._factory()
        session.connection(execution_options={"qingfeng_write": True})
        try:
            yield session
            session.commit()
            with self._stamp_lock:
                self.commit_stamp = next(self._commits)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
