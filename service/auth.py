"""flask-login wiring: session cookies for people, bearer tokens for programs."""

from __future__ import annotations

from flask import g, request, session
from flask_login import current_user, login_user, logout_user

from service.cases import sessions
from service.cases.accounts import user_for_session, user_for_token
from service.cases.errors import AuthenticationFailed
from service.extensions import login_manager
from service.models import User
from service.reads import request_session
from service.runtime import services

SESSION_KEY = "qf_sid"  # the cookie's key of the server-side session (user_sessions)


@login_manager.user_loader
def _load_user(user_id: str):
    # A request that presents an Authorization header is authenticated by it alone: the cookie the
    # browser adds is not a fallback (the API's CSRF rule exempts bearer calls because of this).
    if "Authorization" in request.headers:
        return None
    key = session.get(SESSION_KEY)
    if not user_id.isdigit() or not key:
        return None
    db_session = request_session()
    user = user_for_session(db_session, int(user_id), key)  # detached: stays readable after the rollback
    db_session.rollback()  # hand the connection back: an action in this request needs its own
    return user


@login_manager.request_loader
def _load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    db_session = request_session()
    token = header[7:].strip()
    user = user_for_token(db_session, token, services().now())  # detached: readable after the rollback
    db_session.rollback()  # hand the connection back: an action in this request needs its own
    if user is not None:
        g.qf_token_auth = True
        g.qf_token = token
    return user


def log_in(user_id: int) -> User:
    """Start a server-side session for the user and put its key in the cookie (any previous one ends)."""
    key = sessions.start_session(services(), user_id, request.remote_addr or "", replaces=session.get(SESSION_KEY))
    user = request_session().get(User, user_id)
    session.clear()  # nothing from before the login survives into the new session
    login_user(user)
    session[SESSION_KEY] = key
    return user


def current_session_key() -> str | None:
    return session.get(SESSION_KEY)


def log_out() -> None:
    """End what authenticated this request: the bearer token, or the server-side session and its tokens."""
    if g.get("qf_token_auth"):
        sessions.revoke_token_by_secret(services(), g.qf_token)
    else:
        sessions.end_session(services(), session.get(SESSION_KEY))
    logout_user()
    session.pop(SESSION_KEY, None)


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        raise AuthenticationFailed("请先登录")
    from flask import redirect, url_for

    return redirect(url_for("web.login", next=request.full_path))


def actor() -> User:
    """The logged-in user (views call this after @login_required)."""
    return current_user._get_current_object()
