"""Per-request wiring: a request id (from X-Request-ID or new), one JSON log line, latency metrics."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from service.cases import request_ids
from service.observability import metrics

log = logging.getLogger("qingfeng.request")
QUIET_ROUTES = {"/api/v1/healthz", "/api/v1/readyz", "/metrics"}  # probes: measured, not logged


def _route() -> str:
    """The URL rule (`/api/v1/tasks/<task_id>/complete`), never the concrete path or query string."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def install(app: Flask) -> None:
    @app.before_request
    def _begin():
        g.qf_started = time.perf_counter()
        g.qf_request_id = request_ids.accept(request.headers.get(request_ids.HEADER))
        g.qf_request_id_token = request_ids.bind(g.qf_request_id)

    @app.after_request
    def _finish(response):
        started = g.pop("qf_started", None)
        if started is None:  # a request that failed before our hook ran
            return response
        seconds = time.perf_counter() - started
        route = _route()
        response.headers[request_ids.HEADER] = g.qf_request_id
        metrics.observe_request(request.method, route, response.status_code, seconds)
        if route not in QUIET_ROUTES:
            user = g.get("_login_user")  # only if this request loaded one: logging must not cost a query
            user_id = user.get_id() if user is not None and user.is_authenticated else None
            log.info("%s %s %s", request.method, route, response.status_code,
                     extra={"method": request.method, "route": route, "status": response.status_code,
                            "duration_ms": round(seconds * 1000, 2), "user_id": user_id})
        return response

    @app.teardown_request
    def _unbind(_exc=None):
        token = g.pop("qf_request_id_token", None)
        if token is not None:
            request_ids.reset(token)

    app.register_blueprint(metrics.blp)
