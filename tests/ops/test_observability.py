"""Liveness, readiness, Prometheus metrics, request ids in logs and audit events; reporter fields stay out."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from sqlalchemy import select

from service.cases import accounts, audit
from service.models import AuditEvent
from service.observability import heartbeat
from service.observability.logs import JsonFormatter
from tests.support.approval import REGISTER_DATA, REPORTER_NAME, approval_files, propose, register, start_demo_case


@pytest.fixture
def json_log():
    """Everything logged while the test runs, through the service's JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def bearer(svc, users, who: str) -> dict:
    return {"Authorization": f"Bearer {accounts.issue_token(svc, users[who], 'metrics')}"}


def scrape(app, headers) -> str:
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{labels} not in metrics"
    return float(match[1])


# ---- liveness and readiness ----

def test_healthz_answers_without_asking_the_database(app):
    app.extensions["qingfeng"].db.engine.dispose()
    response = app.test_client().get("/api/v1/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_needs_a_recent_timer_worker_heartbeat(app, svc, clock):
    client = app.test_client()
    response = client.get("/api/v1/readyz")
    assert response.status_code == 503 and response.json["status"] == "not_ready"
    checks = response.json["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert checks["migrations"]["current"] == checks["migrations"]["head"]
    assert checks["timer_worker"] == {"ok": False, "alive": 0, "last_heartbeat_seconds_ago": None}

    heartbeat.beat(svc, "host-a:1", interval=30, started_at=clock(), fired_cases=0)
    clock.advance(seconds=45)
    response = client.get("/api/v1/readyz")
    assert response.status_code == 200 and response.json["status"] == "ready"
    assert response.json["checks"]["timer_worker"] == {"ok": True, "alive": 1, "last_heartbeat_seconds_ago": 45.0}

    clock.advance(seconds=60)  # 105 s > 3 passes of 30 s: the worker is gone or stuck
    assert client.get("/api/v1/readyz").status_code == 503
    heartbeat.forget(svc, "host-a:1")


def test_readyz_reports_a_database_behind_the_migrations(app, svc, clock):
    from sqlalchemy import text

    heartbeat.beat(svc, "host-a:1", interval=30, started_at=clock(), fired_cases=0)
    with svc.db.write_session() as session:
        real = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        session.execute(text("UPDATE alembic_version SET version_num = 'c961b0f72f95'"))
    try:
        response = app.test_client().get("/api/v1/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["migrations"] == {"ok": False, "current": ["c961b0f72f95"], "head": [real]}
    finally:
        with svc.db.write_session() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": real})


# ---- who may scrape ----

def test_metrics_answer_only_an_admin_bearer_token_or_the_metrics_token(app, svc, users, api):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer qf_unknown"}).status_code == 401
    refused = client.get("/metrics", headers=bearer(svc, users, "supervisor"))
    assert refused.status_code == 403 and refused.json["code"] == "not_allowed"
    assert api("admin").client.get("/metrics").status_code == 401  # an admin's session cookie is not a token
    scrape(app, bearer(svc, users, "admin"))
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 401
    svc.config.METRICS_TOKEN = "scrape-secret"
    try:
        scrape(app, {"Authorization": "Bearer scrape-secret"})
    finally:
        svc.config.METRICS_TOKEN = ""


# ---- what they say ----

def test_metrics_count_completions_per_process_requests_per_route_and_deadlines(app, svc, users, api, deploy, clock):
    deploy(approval_files())
    headers = bearer(svc, users, "admin")
    case = start_demo_case(api)
    register(api, case)  # opens 拟办 (propose) with a working-day deadline and its boundary timer
    app.test_client().post("/api/v1/session", json={"username": "handler", "password": "wrong"})
    text = scrape(app, headers)
    assert sample(text, "qingfeng_task_completions_total", '{process_key="approval_demo"}') == 1
    assert sample(text, "qingfeng_cases", '{status="open"}') == 1
    assert sample(text, "qingfeng_login_failures_total") == 1
    route = 'method="POST",route="/api/v1/tasks/<string:task_id>/complete"'
    assert sample(text, "qingfeng_http_request_duration_seconds_count", "{" + route + "}") >= 1
    assert sample(text, "qingfeng_http_requests_total", "{" + route + ',status="200"}') >= 1
    assert sample(text, "qingfeng_tasks_overdue") == 0
    assert sample(text, "qingfeng_tasks_due_soon") == 0
    assert sample(text, "qingfeng_timers_due") == 0 and sample(text, "qingfeng_timer_lag_seconds") == 0

    clock.advance(days=60)  # the task and its timer are now long past due (and no worker has fired it)
    headers = bearer(svc, users, "admin")  # the first token has expired meanwhile (API_TOKEN_LIFETIME_DAYS)
    text = scrape(app, headers)
    assert sample(text, "qingfeng_tasks_overdue") == 1
    assert sample(text, "qingfeng_timers_due") == 1
    assert sample(text, "qingfeng_timer_lag_seconds") > 86400
    assert sample(text, "qingfeng_timer_workers_alive") == 0

    propose(api)
    text = scrape(app, headers)
    assert sample(text, "qingfeng_task_completions_total", '{process_key="approval_demo"}') == 2
    assert sample(text, "qingfeng_tasks_overdue") == 0


# ---- request ids ----

def test_each_response_carries_a_request_id_that_its_audit_events_and_log_lines_carry(app, api, deploy, svc, json_log):
    deploy(approval_files())
    client = api("intake").client
    response = client.post("/api/v1/cases", json={"process_key": "approval_demo", "title": "追踪", "data": {}},
                           headers={"X-Request-ID": "proxy-req-0001"})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "proxy-req-0001"
    other = client.get("/api/v1/me", headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", other.headers["X-Request-ID"])  # unusable ids are replaced
    with svc.db.read_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == response.json["id"])).all()
        assert events and {e.request_id for e in events} == {"proxy-req-0001"}
        assert audit.verify(session, audit.case_chain(response.json["id"])).valid
    trail = api("intake").get(f"/cases/{response.json['id']}/audit").json
    assert {e["request_id"] for e in trail["events"]} == {"proxy-req-0001"}
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    [request_line] = [r for r in lines if r.get("route") == "/api/v1/cases" and r.get("method") == "POST"]
    assert request_line["request_id"] == "proxy-req-0001" and request_line["status"] == 201
    assert request_line["user_id"] == str(api("intake").user["id"])


def test_the_request_id_is_part_of_the_hashed_event(app, api, deploy, svc):
    deploy(approval_files())
    case = start_demo_case(api)
    with svc.db.write_session() as session:  # a raw UPDATE, as an intruder would: the chain must notice
        session.execute(AuditEvent.__table__.update().where(AuditEvent.case_id == case["id"])
                        .values(request_id="forged-request-id"))
    with svc.db.read_session() as session:
        assert not audit.verify(session, audit.case_chain(case["id"])).valid


# ---- the reporter stays out ----

def test_reporter_fields_never_reach_logs_or_metrics(app, api, deploy, svc, users, json_log):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case, REGISTER_DATA)
    api("intake").get(f"/cases?q={REPORTER_NAME}")  # a search for the reporter: the query string is not logged
    api("intake").get(f"/cases/{case['id']}")
    logging.getLogger("qingfeng.test").info("event", extra={"reporter_name": REPORTER_NAME, "case_id": case["id"]})
    metrics_text = scrape(app, bearer(svc, users, "admin"))
    logged = json_log.getvalue()
    assert '"case_id"' in logged and "/api/v1/cases/<int:case_id>" in logged  # the capture did see the requests
    for value in (REPORTER_NAME, REGISTER_DATA["reporter_phone"]):
        assert value not in logged
        assert value not in metrics_text
    # No reporter field name as a label or value (the route /cases/<id>/reporter may appear: it names no field).
    assert "reporter_" not in metrics_text
