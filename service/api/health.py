"""Liveness (the process answers) and readiness (database, migrations, timer worker)."""

from service.api.contract import ApiBlueprint
from service.observability import readiness
from service.runtime import services
from service.schemas.ops import HealthOut, ReadyOut

blp = ApiBlueprint("health", __name__, description="健康检查")


@blp.route("/healthz")
@blp.response(200, HealthOut)
@blp.public
def healthz():
    """The process is up and serving (no database call: a database outage must not restart every process)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.response(200, ReadyOut)
@blp.alt_response(503, schema=ReadyOut, description="未就绪：数据库不可达、迁移未完成或定时器进程无心跳")
@blp.public
def readyz():
    """Ready for traffic: database reachable, schema at the latest migration, a timer worker beat recently."""
    result = readiness.check(services())
    return {"status": "ready" if result["ready"] else "not_ready", "checks": result["checks"]}, (
        200 if result["ready"] else 503)
