"""Readiness: the database answers, its schema is at the latest migration, a timer worker beats."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import text

from service.cases.runtime import Services
from service.observability import heartbeat

log = logging.getLogger(__name__)


@cache
def migration_heads() -> frozenset[str]:
    """The head revision(s) of migrations/ (files do not change while the process runs)."""
    from alembic.script import ScriptDirectory

    from service.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def check(svc: Services) -> dict:
    """{"ready": bool, "checks": {name: {"ok": bool, ...}}}; never raises (a failed check says why, briefly)."""
    checks: dict[str, dict] = {}
    try:
        with svc.db.read_session() as session:
            session.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
            current = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
            heads = migration_heads()
            checks["migrations"] = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
            workers = heartbeat.timer_workers(session, svc.now())
            age = workers.freshest_age_seconds
            checks["timer_worker"] = {"ok": workers.alive > 0, "alive": workers.alive,
                                      "last_heartbeat_seconds_ago": None if age is None else round(age, 1)}
    except Exception:  # the details go to the log, not to an unauthenticated caller
        log.exception("readiness check failed")
        checks.setdefault("database", {"ok": False})
        for name in ("migrations", "timer_worker"):
            checks.setdefault(name, {"ok": False})
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}
