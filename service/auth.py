"""flask-login wiring: session cookies for people, bearer tokens for programs."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from service.cases.accounts import load_user, user_for_token
from service.cases.errors import AuthenticationFailed
from service.extensions import login_manager
from service.models import User
from service.runtime import services


def read_session():
    """The request's read-only session, closed at teardown."""
    if "qf_session" not in g:
        g.qf_session = services().db.read_session()
    return g.qf_session


def fresh_read_session():
    """The read session with its snapshot ended, so it sees what an action just committed."""
    session = read_session()
    session.rollback()
    return session


def close_read_session(_exc=None) -> None:
    session = g.pop("qf_session", None)
    if session is not None:
        session.close()


@login_manager.user_loader
def _load_user(user_id: str):
    if not user_id.isdigit():
        return None
    session = read_session()
    user = load_user(session, int(user_id))  # detached: stays readable after the rollback
    session.rollback()  # hand the connection back: an action in this request needs its own
    return user if user is not None and user.active else None


@login_manager.request_loader
def _load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    session = read_session()
    user = user_for_token(session, header[7:].strip())  # detached: stays readable after the rollback
    session.rollback()  # hand the connection back: an action in this request needs its own
    if user is not None:
        g.qf_token_auth = True
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        raise AuthenticationFailed("请先登录")
    from flask import redirect, url_for

    return redirect(url_for("web.login", next=request.full_path))


def actor() -> User:
    """The logged-in user (views call this after @login_required)."""
    return current_user._get_current_object()
