"""The session policy of requests, in one place: views run case-layer queries through `read`, never a session.

A request has one read session. Its snapshot is renewed whenever a write transaction committed since the snapshot
began (`Database.commit_stamp`), so a page read after an action in the same request sees what the action wrote;
without a commit in between, every query of the request reads the same snapshot. Views never choose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import g
from sqlalchemy.orm import Session

from service.runtime import services

T = TypeVar("T")


def request_session() -> Session:
    """The request's read session, its snapshot no older than the last commit (closed at teardown)."""
    db = services().db
    stamp = db.commit_stamp  # read before the snapshot (re)starts: a commit after this changes the stamp
    if "qf_session" not in g:
        g.qf_session = db.read_session()
    elif g.qf_session_stamp != stamp:
        g.qf_session.rollback()  # end the old snapshot; the next query starts one that sees the commit
    g.qf_session_stamp = stamp
    return g.qf_session


def close_request_session(_exc=None) -> None:
    session = g.pop("qf_session", None)
    if session is not None:
        session.close()


def read(query: Callable[..., T], *args, **kwargs) -> T:
    """Run a case-layer query `query(session, *args, **kwargs)` on the request's read session."""
    return query(request_session(), *args, **kwargs)


def read_with_services(query: Callable[..., T], *args, **kwargs) -> T:
    """Run a case-layer query that also needs the services: `query(svc, session, *args, **kwargs)`."""
    return query(services(), request_session(), *args, **kwargs)
