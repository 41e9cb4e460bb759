"""Server-side login sessions and API tokens: start, check, end; tokens expire and can be listed and revoked.

The session cookie holds a random key whose hash is a `user_sessions` row; a request is logged in only
while that row is open, so logout, logout everywhere, a password change and deactivation end the
session on the server and the old cookie stops working. Bearer tokens carry an expiry
(`API_TOKEN_LIFETIME_DAYS`); one issued at a login belongs to that session and ends with it.
Each public function that takes `svc` is one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.cases.errors import NotFound
from service.cases.runtime import Services
from service.models import ApiToken, UserSession


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(svc: Services, user_id: int, remote_addr: str = "", replaces: str | None = None) -> str:
    """Open a session for the user; returns the key for the cookie (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    now = svc.now()
    with svc.db.write_session() as session:
        if replaces:
            _end_where(session, UserSession.key_hash == key_hash(replaces), now, "replaced")
        session.add(UserSession(user_id=user_id, key_hash=key_hash(key), remote_addr=remote_addr[:64], created_at=now))
    return key


def end_session(svc: Services, key: str | None, reason: str = "logout") -> None:
    """End the session with this key and the tokens issued with it (logout). Unknown keys are ignored."""
    if not key:
        return
    with svc.db.write_session() as session:
        _end_where(session, UserSession.key_hash == key_hash(key), svc.now(), reason)


def end_everywhere(svc: Services, user_id: int) -> None:
    """Log the user out everywhere: every session and every token."""
    with svc.db.write_session() as session:
        end_all(session, user_id, svc.now(), "logout_all")


def end_all(session: Session, user_id: int, now: datetime, reason: str, keep_key: str | None = None) -> None:
    """Inside the caller's transaction: end the user's sessions (but `keep_key`'s) and revoke all their tokens."""
    condition = UserSession.user_id == user_id
    if keep_key:
        condition = condition & (UserSession.key_hash != key_hash(keep_key))
    _end_where(session, condition, now, reason)
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
                    .values(revoked=True, revoked_at=now))


def _end_where(session: Session, condition, now: datetime, reason: str) -> None:
    ids = list(session.scalars(select(UserSession.id).where(condition, UserSession.ended_at.is_(None))))
    if not ids:
        return
    session.execute(update(UserSession).where(UserSession.id.in_(ids)).values(ended_at=now, end_reason=reason))
    session.execute(update(ApiToken).where(ApiToken.session_id.in_(ids), ApiToken.revoked.is_(False))
                    .values(revoked=True, revoked_at=now))


# ---- tokens ----

def issue_token(svc: Services, user_id: int, name: str = "", session_key: str | None = None) -> str:
    """A new API token expiring after API_TOKEN_LIFETIME_DAYS; only its hash is stored, the token is shown once."""
    token = "qf_" + secrets.token_urlsafe(32)
    now = svc.now()
    with svc.db.write_session() as session:
        session_id = None
        if session_key:
            session_id = session.scalar(select(UserSession.id).where(UserSession.key_hash == key_hash(session_key)))
        session.add(ApiToken(user_id=user_id, token_hash=key_hash(token), name=name[:64], created_at=now,
                             expires_at=now + timedelta(days=svc.config.API_TOKEN_LIFETIME_DAYS),
                             session_id=session_id))
    return token


def list_tokens(svc: Services, user_id: int) -> list[ApiToken]:
    """The user's tokens that still work (not revoked, not expired), newest first."""
    with svc.db.read_session() as session:
        return list(session.scalars(select(ApiToken).where(
            ApiToken.user_id == user_id, ApiToken.revoked.is_(False), ApiToken.expires_at > svc.now())
            .order_by(ApiToken.id.desc())))


def revoke_token(svc: Services, user_id: int, token_id: int) -> None:
    """Revoke one of the user's own tokens; another user's token is 404 like an unknown one."""
    with svc.db.write_session() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
                               .with_for_update())
        if token is None:
            raise NotFound(f"令牌 {token_id} 不存在")
        if not token.revoked:
            token.revoked, token.revoked_at = True, svc.now()


def revoke_token_by_secret(svc: Services, token: str) -> None:
    """Revoke the token itself (logout of a bearer-token client)."""
    with svc.db.write_session() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == key_hash(token), ApiToken.revoked.is_(False))
                        .values(revoked=True, revoked_at=svc.now()))
