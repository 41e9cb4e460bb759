"""Prometheus metrics at GET /metrics, for an admin's bearer token or the configured metrics token.

Two kinds of figures:
- per request, measured in the serving process: latency histograms and counts per route. Under
  gunicorn every worker is its own process, so `qingfeng serve` points PROMETHEUS_MULTIPROC_DIR at a
  fresh directory and a scrape merges every worker's file (prometheus-client's multiprocess mode);
- the state of the office, read from the database at scrape time, so they are right whichever
  process or host answers: completions per BPMN process, overdue and due-soon tasks, due timers and
  the timer lag, timer-worker heartbeats, failed logins, cases by status.
Labels are routes, methods, status codes, process keys and case statuses: never a user name, a case
title, a query string or any reporter field.
"""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime

from flask import Blueprint, Response, g, jsonify, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from service.cases.deadline_queries import due_soon_limit
from service.cases.permissions import may_read_metrics
from service.cases.runtime import Services
from service.errors import error_body
from service.models import Case, LoginAttempt, Timer, WorkItem
from service.observability import heartbeat
from service.runtime import services

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LOCAL = CollectorRegistry(auto_describe=True)  # this process's request metrics (single-process mode)
REQUEST_SECONDS = Histogram("qingfeng_http_request_duration_seconds", "HTTP request latency by route",
                            ["method", "route"], buckets=BUCKETS, registry=_LOCAL)
REQUESTS = Counter("qingfeng_http_requests", "HTTP requests by route and status code",
                   ["method", "route", "status"], registry=_LOCAL)

blp = Blueprint("metrics", __name__)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    REQUESTS.labels(method, route, str(status)).inc()


class DatabaseCollector:
    """Figures computed from the database at scrape time (correct across processes and hosts)."""

    def __init__(self, svc: Services):
        self.svc = svc

    def collect(self):
        svc, now = self.svc, self.svc.now()
        soon = due_soon_limit(svc.calendar(), now, svc.config.DUE_SOON_WORKDAYS, svc.config.TIMEZONE)
        with svc.db.read_session() as session:
            completions = CounterMetricFamily("qingfeng_task_completions", "Human tasks completed, by BPMN process",
                                              labels=["process_key"])
            for key, count in session.execute(
                    select(Case.process_key, func.count(WorkItem.id)).join(Case, Case.id == WorkItem.case_id)
                    .where(WorkItem.resolution == "completed").group_by(Case.process_key).order_by(Case.process_key)):
                completions.add_metric([key], count)
            yield completions

            cases = GaugeMetricFamily("qingfeng_cases", "Cases by status", labels=["status"])
            for status, count in session.execute(select(Case.status, func.count(Case.id)).group_by(Case.status)
                                                 .order_by(Case.status)):
                cases.add_metric([status], count)
            yield cases

            open_items = select(func.count(WorkItem.id)).where(WorkItem.completed_at.is_(None))
            yield GaugeMetricFamily("qingfeng_tasks_overdue", "Open tasks past their due time",
                                    value=session.scalar(open_items.where(WorkItem.due_at < now)))
            yield GaugeMetricFamily("qingfeng_tasks_due_soon",
                                    "Open tasks due within QINGFENG_DUE_SOON_WORKDAYS working days",
                                    value=session.scalar(open_items.where(WorkItem.due_at >= now,
                                                                          WorkItem.due_at <= soon)))

            due_count, oldest_due = session.execute(
                select(func.count(Timer.id), func.min(Timer.due_at)).where(Timer.due_at <= now)).one()
            yield GaugeMetricFamily("qingfeng_timers_due", "Timers whose due time has passed and that have not fired",
                                    value=due_count)
            lag = (now - _aware(oldest_due)).total_seconds() if oldest_due is not None else 0.0
            yield GaugeMetricFamily("qingfeng_timer_lag_seconds", "How late the oldest unfired due timer is",
                                    value=max(lag, 0.0))

            workers = heartbeat.timer_workers(session, now)
            yield GaugeMetricFamily("qingfeng_timer_workers_alive", "Timer workers with a recent heartbeat",
                                    value=workers.alive)
            if workers.freshest_age_seconds is not None:
                yield GaugeMetricFamily("qingfeng_timer_heartbeat_age_seconds", "Age of the newest timer heartbeat",
                                        value=workers.freshest_age_seconds)

            yield CounterMetricFamily("qingfeng_login_failures", "Failed login attempts recorded",
                                      value=session.scalar(select(func.count(LoginAttempt.id))
                                                           .where(LoginAttempt.succeeded.is_(False))))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def exposition(svc: Services) -> bytes:
    """The text exposition: request metrics (all workers' in multiprocess mode) plus the database figures."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(svc))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        per_process = CollectorRegistry()
        multiprocess.MultiProcessCollector(per_process)
    else:
        per_process = _LOCAL
    return generate_latest(per_process) + generate_latest(registry)


def _refusal(status: int, code: str, message: str):
    response = jsonify(error_body(status, code, message))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


@blp.get("/metrics")
def metrics():
    """Prometheus scrape endpoint: an admin's API token or QINGFENG_METRICS_TOKEN as a bearer token."""
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header.startswith("Bearer ") else ""
    configured = services().config.METRICS_TOKEN
    if not given:
        return _refusal(401, "authentication_required", "需要管理员的 API 令牌或监控令牌")
    if not (configured and hmac.compare_digest(given.encode(), configured.encode())):
        if not current_user.is_authenticated or not g.get("qf_token_auth"):
            return _refusal(401, "authentication_required", "令牌无效")
        if not may_read_metrics(current_user):
            return _refusal(403, "not_allowed", "仅管理员可读取监控指标")
    return Response(exposition(services()), mimetype=CONTENT_TYPE_LATEST)
