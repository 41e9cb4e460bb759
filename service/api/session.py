"""Log in and out; who am I."""

from flask import request
from flask_login import login_user, logout_user
from flask_smorest import Blueprint

from service.api.common import api_login_required
from service.auth import actor, read_session
from service.cases import accounts
from service.models import User
from service.runtime import services
from service.schemas.api import LoginIn, LoginOut, UserOut

blp = Blueprint("session", __name__, description="登录与当前用户")


@blp.route("/session", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
def login(body):
    """Log in with username and password; optionally receive a bearer token."""
    user_id = accounts.authenticate(services(), body["username"], body["password"], request.remote_addr or "")
    user = read_session().get(User, user_id)
    login_user(user)
    token = accounts.issue_token(services(), user_id, "api-login") if body["issue_token"] else None
    return {"user": user, "token": token}


@blp.route("/session", methods=["DELETE"])
@blp.response(204)
def logout():
    logout_user()


@blp.route("/me")
@blp.response(200, UserOut)
@api_login_required
def me():
    return actor()
