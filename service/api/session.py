"""Log in and out (this session, or everywhere); who am I; change my password; my API tokens."""

from flask import g, request

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor, current_session_key, log_in, log_out
from service.cases import accounts, sessions
from service.runtime import services
from service.schemas.session import LoginIn, LoginOut, PasswordChangeIn, TokenOut, UserOut

blp = ApiBlueprint("session", __name__, description="登录、退出、令牌与当前用户")


@blp.route("/session", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
@blp.errors(401, 429)
@blp.public
def login(body):
    """Log in with username and password (throttled: 401 wrong, 429 with Retry-After); optionally get a token.

    A token issued here expires after API_TOKEN_LIFETIME_DAYS and ends with this login's session.
    """
    user_id = accounts.authenticate(services(), body["username"], body["password"], request.remote_addr or "")
    user = log_in(user_id)
    token = None
    if body["issue_token"]:
        token = accounts.issue_token(services(), user_id, "api-login", session_key=current_session_key())
    return {"user": user, "token": token}


@blp.route("/session", methods=["DELETE"])
@blp.response(204)
@blp.errors(401)
@api_login_required
def logout():
    """End what authenticated this call: the cookie's session (and tokens issued with it), or the bearer token."""
    log_out()


@blp.route("/sessions", methods=["DELETE"])
@blp.response(204)
@blp.errors(401)
@api_login_required
def logout_everywhere():
    """Log out everywhere: end every session of the user and revoke all their tokens."""
    sessions.end_everywhere(services(), actor().id)
    log_out()


@blp.route("/me")
@blp.response(200, UserOut)
@blp.errors(401)
@api_login_required
def me():
    return actor()


@blp.route("/me/password", methods=["PUT"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@blp.errors(401, 429)
@api_login_required
def change_password(body):
    """Change one's own password; ends the user's other sessions and revokes all their tokens."""
    keep = None if g.get("qf_token_auth") else current_session_key()
    accounts.change_password(services(), actor().id, body["current_password"], body["new_password"],
                             request.remote_addr or "", keep_session=keep)


@blp.route("/tokens")
@blp.response(200, TokenOut(many=True))
@blp.errors(401)
@api_login_required
def list_tokens():
    """The caller's API tokens that still work (never the token itself)."""
    return sessions.list_tokens(services(), actor().id)


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 404)
@api_login_required
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens (404 for another user's or an unknown token)."""
    sessions.revoke_token(services(), actor().id, token_id)
