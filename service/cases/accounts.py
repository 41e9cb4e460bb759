"""Account actions: users, password login with throttling, API tokens. Each public function is one transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from werkzeug.security import check_password_hash, generate_password_hash

from service.cases import login_throttle, sessions
from service.cases.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from service.cases.org import admin as org_admin
from service.cases.org.positions import DEPARTMENT_POSITIONS, ROLE_POSITIONS
from service.cases.runtime import Services
from service.models import ApiToken, LoginAttempt, User, UserSession

_DUMMY_HASH = generate_password_hash("qingfeng-timing-equaliser")


def create_user(svc: Services, username: str, display_name: str, password: str, roles, department: str = "") -> int:
    """Create an account from the first cut's roles (CLI, tests): each role becomes the matching position,
    department positions in `department` (created by name if missing). Admins use service.cases.org.admin."""
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位", {"password": ["密码至少 8 位"]})
    unknown = [r for r in roles if r not in ROLE_POSITIONS]
    if unknown:
        raise InvalidInput(f"unknown roles: {unknown}", {"roles": [f"unknown roles: {unknown}"]})
    with svc.db.write_session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"用户名 {username} 已存在", code="user_exists")
        now = svc.now()
        password_hash = generate_password_hash(password, method=svc.config.PASSWORD_HASH_METHOD)
        user = User(username=username, display_name=display_name, password_hash=password_hash,
                    department=department, created_at=now)
        session.add(user)
        session.flush()
        home = None
        if any(ROLE_POSITIONS[r] in DEPARTMENT_POSITIONS for r in roles):
            home = org_admin.ensure_department(session, department or org_admin.UNASSIGNED)
        for role in roles:
            kind = ROLE_POSITIONS[role]
            org_admin.hold(session, user, kind, home, now, None)
        org_admin.refresh_roles(session, user, now)
        org_admin.record(svc, session, None, "user_created",
                         {"user_id": user.id, "username": username, "roles": sorted(roles), "department": department})
        return user.id


def authenticate(svc: Services, username: str, password: str, remote_addr: str = "") -> int:
    """Check a password under the login throttle (see login_throttle); record the attempt; the user's id."""
    now, rules = svc.now(), login_throttle.Rules.from_config(svc.config)
    with svc.db.write_session() as session:  # counted as a failure first: concurrent guesses cannot pass the limit
        login_throttle.claim_attempt(session, username, remote_addr, now, rules)
        user = session.scalar(select(User).where(User.username == username))
        attempt = LoginAttempt(username=username[:64], remote_addr=remote_addr[:64], succeeded=False, at=now)
        session.add(attempt)
    # the slow hash runs outside the transaction, so it holds no lock
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password) and bool(user and user.active)
    if not ok:
        raise AuthenticationFailed("用户名或密码错误")
    with svc.db.write_session() as session:
        login_throttle.forgive(session, username, remote_addr, now, rules)
        session.get(LoginAttempt, attempt.id).succeeded = True
    return user.id


issue_token = sessions.issue_token  # tokens live with the sessions; callers that create users use it from here


def change_password(svc: Services, user_id: int, current: str, new: str, remote_addr: str = "",
                    keep_session: str | None = None) -> None:
    """Change one's own password (the current one checked under the login throttle); ends the user's other
    sessions and all their tokens."""
    _check_new_password(new)
    with svc.db.read_session() as session:
        user = load_user(session, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    try:
        authenticate(svc, user.username, current, remote_addr)
    except AuthenticationFailed:
        raise InvalidInput("当前密码不正确", {"current_password": ["当前密码不正确"]})
    with svc.db.write_session() as session:
        row = session.get(User, user_id, with_for_update=True)
        row.password_hash = generate_password_hash(new, method=svc.config.PASSWORD_HASH_METHOD)
        sessions.end_all(session, user_id, svc.now(), "password_changed", keep_key=keep_session)


def _check_new_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("密码至少 8 位", {"new_password": ["密码至少 8 位"]})


_USERS, _TOKENS, _SESSIONS = User.__table__, ApiToken.__table__, UserSession.__table__
_USER_ATTRS = {attr.key: attr.columns[0] for attr in User.__mapper__.column_attrs}  # attribute -> column
_USER_COLUMNS = [column.label(key) for key, column in _USER_ATTRS.items()]
_USER_BY_ID = select(*_USER_COLUMNS).where(_USERS.c.id == bindparam("user_id"))
_USER_BY_TOKEN = (
    select(*_USER_COLUMNS).join(_TOKENS, _TOKENS.c.user_id == _USERS.c.id)
    .where(_TOKENS.c.token_hash == bindparam("token_hash"), _TOKENS.c.revoked.is_(False),
           _TOKENS.c.expires_at > bindparam("now"), _USERS.c.active.is_(True))
)
_USER_BY_SESSION = (
    select(*_USER_COLUMNS).join(_SESSIONS, _SESSIONS.c.user_id == _USERS.c.id)
    .where(_USERS.c.id == bindparam("user_id"), _SESSIONS.c.key_hash == bindparam("key_hash"),
           _SESSIONS.c.ended_at.is_(None), _USERS.c.active.is_(True))
)


def _detached_user(row) -> User | None:
    """A User built from its row, detached: readable anywhere, never inserted by accident."""
    if row is None:
        return None
    user = User(**{key: row[key] for key in _USER_ATTRS})
    make_transient_to_detached(user)
    return user


def load_user(session, user_id: int) -> User | None:
    """The user by id as a detached object, in one prebuilt statement (every action starts with it)."""
    return _detached_user(session.connection().execute(_USER_BY_ID, {"user_id": user_id}).mappings().first())


def user_for_token(session, token: str, now) -> User | None:
    """The active user behind an unexpired, unrevoked bearer token, in one read, as a detached object."""
    params = {"token_hash": sessions.key_hash(token), "now": now}
    return _detached_user(session.connection().execute(_USER_BY_TOKEN, params).mappings().first())


def user_for_session(session, user_id: int, key: str) -> User | None:
    """The active user of an open server-side session, in one read, as a detached object."""
    params = {"user_id": user_id, "key_hash": sessions.key_hash(key)}
    return _detached_user(session.connection().execute(_USER_BY_SESSION, params).mappings().first())
