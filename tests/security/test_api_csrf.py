"""Cookie-authenticated API writes need the CSRF token or a same-site Origin/Referer; bearer calls are exempt.
Reads have no side effects: the reporter's identity is read with a POST that records it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent
from tests.conftest import PASSWORD
from tests.support.approval import approval_files, register, start_demo_case

FOREIGN = [
    {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Origin": "http://localhost.evil.example"},
    {"Origin": "http://evil.example", "Referer": "http://localhost/worklist"},
    {"Referer": "https://evil.example/page"}, {"Referer": "http://localhost.evil.example/"},
    {},  # a cookie call that proves nothing about where it comes from
]


def _unsafe_api_routes(app) -> list[tuple[str, str]]:
    """Every unsafe (method, path) of the API, ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:int:|string:)?(\w+)>", "1", rule.rule)
        routes += [(method, path) for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})]
    return routes


def _cookie_client(app, username: str = "designer"):
    client = app.test_client()
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return client


def test_the_api_has_unsafe_routes_to_protect(app):
    routes = _unsafe_api_routes(app)
    assert ("POST", "/api/v1/cases") in routes and ("DELETE", "/api/v1/session") in routes
    assert ("POST", "/api/v1/cases/1/reporter") in routes and len(routes) >= 10


@pytest.mark.parametrize("headers", FOREIGN)
def test_every_unsafe_cookie_call_without_proof_of_origin_is_refused(app, users, headers):
    client = _cookie_client(app)
    for method, path in _unsafe_api_routes(app):
        response = client.open(path, method=method, json={}, headers=headers)
        assert response.status_code == 403 and response.json["code"] == "csrf_failed", (method, path, headers)
    assert client.get("/api/v1/me").status_code == 200  # still logged in: the DELETE /session was refused too


def test_a_forged_case_start_creates_nothing(app, users, deploy, svc):
    from service.models import Case

    deploy(approval_files())
    client = _cookie_client(app, "intake")
    response = client.post("/api/v1/cases", json={"process_key": "approval_demo", "title": "伪造", "data": {}},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    with svc.db.read_session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Referer": "http://localhost/designer"},
                                     {"Origin": "HTTP://LOCALHOST"}])
def test_same_site_cookie_calls_pass_the_check(app, users, headers):
    client = _cookie_client(app)
    for method, path in _unsafe_api_routes(app):
        response = client.open(path, method=method, json={}, headers=headers)
        assert (response.get_json(silent=True) or {}).get("code") != "csrf_failed", (method, path)


def test_the_page_csrf_token_in_a_header_passes_even_without_origin(app, users):
    client = _cookie_client(app)
    page = client.get("/worklist").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.delete("/api/v1/session", headers={"X-CSRFToken": token, "Origin": "https://evil.example"})
    assert response.status_code == 204
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": "forged"}).status_code == 403


def test_bearer_token_calls_are_exempt(app, users):
    token = app.test_client().post("/api/v1/session", json={"username": "designer", "password": PASSWORD,
                                                            "issue_token": True}).json["token"]
    client = app.test_client()
    for method, path in _unsafe_api_routes(app):
        response = client.open(path, method=method, json={},
                               headers={"Authorization": f"Bearer {token}", "Origin": "https://evil.example"})
        assert (response.get_json(silent=True) or {}).get("code") != "csrf_failed", (method, path)


@pytest.mark.parametrize("authorization", ["Bearer junk", "Bearer ", "Bearer qf_forged", "Basic ZGVzaWduZXI6eA==",
                                           "bearer junk"])
def test_a_junk_authorization_header_never_lets_the_cookie_through(app, users, authorization):
    """A request with an Authorization header is authenticated by it alone, so a forged cookie call cannot add
    a junk token to skip the origin check."""
    client = _cookie_client(app)
    headers = {"Authorization": authorization, "Origin": "https://evil.example"}
    for method, path in _unsafe_api_routes(app):
        if path == "/api/v1/session" and method == "POST":
            continue  # logging in needs no one to be logged in
        response = client.open(path, method=method, json={}, headers=headers)
        assert not 200 <= response.status_code < 300, (method, path, response.status_code)
    changed = client.put("/api/v1/me/password", headers=headers,
                         json={"current_password": PASSWORD, "new_password": "hacked-password-123"})
    assert changed.status_code in (401, 403), changed.get_json()  # 403: not a bearer call, so the origin check
    assert app.test_client().post("/api/v1/session", json={"username": "designer", "password": PASSWORD}) \
        .status_code == 200  # the password did not change
    assert client.get("/api/v1/me", headers={"Authorization": authorization}).status_code == 401
    assert client.get("/api/v1/me").status_code == 200  # the cookie alone still works, and nothing was changed


def test_a_scripts_first_login_needs_no_origin(app, users):
    assert app.test_client().post("/api/v1/session", json={"username": "handler", "password": PASSWORD}).status_code \
        == 200


def test_trusted_origins_from_the_setting_pass(db_url, clock, users):
    from service import create_app
    from service.config import Config

    config = Config.from_env(DATABASE_URL=db_url, SECRET_KEY="test-secret", TESTING=True,
                             PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", TRUSTED_ORIGINS="https://qingfeng.example")
    other = create_app(config, clock=clock)
    try:
        client = _cookie_client(other, "handler")
        assert client.delete("/api/v1/session", headers={"Origin": "https://evil.example"}).status_code == 403
        assert client.delete("/api/v1/session", headers={"Origin": "https://qingfeng.example"}).status_code == 204
    finally:
        other.extensions["qingfeng"].db.dispose()


# ---- the reporter read is a POST ----

def _reporter_reads(svc) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "reporter_viewed"))


def test_reading_the_reporter_with_get_is_not_possible_and_writes_nothing(api, deploy, svc):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    response = api("intake").get(f"/cases/{case['id']}/reporter?reason=回访")
    assert response.status_code == 405
    assert _reporter_reads(svc) == 0


def test_reporter_post_answers_404_then_403_then_422(api, deploy, svc):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    path = f"/cases/{case['id']}/reporter"
    assert api("intake").post("/cases/987654/reporter", {"reason": "回访"}).status_code == 404
    for body in ({}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": "审计"}):
        refused = api("auditor").post(path, body)
        assert refused.status_code == 403 and refused.json["code"] == "need_to_know", body
    for body in ({}, {"reason": " "}, {"reason": "x" * 501}):
        response = api("intake").post(path, body)
        assert response.status_code == 422 and "reason" in response.json["errors"], body
    assert _reporter_reads(svc) == 0
    shown = api("intake").post(path, {"reason": "电话回访"})
    assert shown.status_code == 200 and shown.json["reporter"]["reporter_name"]
    assert _reporter_reads(svc) == 1


def test_the_reporter_page_form_posts():
    from pathlib import Path

    template = (Path(__file__).resolve().parents[2] / "templates" / "cases" / "detail.html").read_text()
    form = re.search(r'<form[^>]*reveal_reporter[^>]*>', template).group(0)
    assert 'method="post"' in form
