"""Liveness and database check."""

from flask_smorest import Blueprint
from sqlalchemy import text

from service.auth import read_session
from service.schemas.api import HealthOut

blp = Blueprint("health", __name__, description="健康检查")


@blp.route("/healthz")
@blp.response(200, HealthOut)
def healthz():
    read_session().execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
