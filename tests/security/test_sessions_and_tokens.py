"""Logout, logout everywhere, a password change and deactivation end sessions on the server (the old cookie
stops working); bearer tokens expire, can be listed and revoked, and end with what they belong to."""

from __future__ import annotations

from datetime import timedelta

from service.cases import accounts
from service.cases.org import admin as org_admin
from tests.conftest import PASSWORD

ORIGIN = {"Origin": "http://localhost"}


def _api_login(app, username: str = "handler", issue_token: bool = False):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD,
                                                    "issue_token": issue_token})
    assert response.status_code == 200, response.json
    return client, response.json["token"]


def _page_login(app, username: str = "handler"):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def _replay(app, client):
    """A second client holding a copy of `client`'s session cookie, as an attacker who stole it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _bearer(app, token: str):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_api_logout_ends_the_session_for_every_copy_of_the_cookie(app, users):
    client, _ = _api_login(app)
    stolen = _replay(app, client)
    assert stolen.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/session").status_code == 204
    assert stolen.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_page_logout_ends_the_session_for_every_copy_of_the_cookie(app, users):
    client = _page_login(app)
    stolen = _replay(app, client)
    assert stolen.get("/worklist").status_code == 200
    assert client.post("/logout").status_code == 302
    assert stolen.get("/worklist").status_code == 302  # back to the login page
    assert stolen.get("/api/v1/me").status_code == 401


def test_logging_in_again_ends_the_previous_session_of_that_browser(app, users):
    client = _page_login(app)
    before = _replay(app, client)
    assert client.post("/login", data={"username": "handler", "password": PASSWORD}).status_code == 302
    assert before.get("/worklist").status_code == 302
    assert client.get("/worklist").status_code == 200


def test_logout_ends_the_token_issued_with_that_login_but_not_other_tokens(app, users):
    client, login_token = _api_login(app, issue_token=True)
    _, other_token = _api_login(app, issue_token=True)
    assert client.delete("/api/v1/session").status_code == 204
    assert _bearer(app, login_token).status_code == 401
    assert _bearer(app, other_token).status_code == 200


def test_logout_with_a_bearer_token_revokes_that_token(app, users):
    _, token = _api_login(app, issue_token=True)
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().delete("/api/v1/session", headers=headers).status_code == 204
    assert _bearer(app, token).status_code == 401


def test_logout_everywhere_ends_every_session_and_token(app, users):
    first, token = _api_login(app, issue_token=True)
    second = _page_login(app)
    standalone = accounts.issue_token(app.extensions["qingfeng"], users["handler"], "script")
    other_user, _ = _api_login(app, "supervisor")
    assert first.delete("/api/v1/sessions").status_code == 204
    assert first.get("/api/v1/me").status_code == 401 and second.get("/worklist").status_code == 302
    assert _bearer(app, token).status_code == 401 and _bearer(app, standalone).status_code == 401
    assert other_user.get("/api/v1/me").status_code == 200  # someone else's sessions are untouched


def test_password_change_ends_other_sessions_and_tokens_and_keeps_this_one(app, users):
    client, token = _api_login(app, issue_token=True)
    other = _page_login(app)
    new = {"current_password": PASSWORD, "new_password": "a-new-password-2026"}
    assert client.put("/api/v1/me/password", json=new).status_code == 204
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/worklist").status_code == 302 and _bearer(app, token).status_code == 401
    fresh = app.test_client()
    assert fresh.post("/api/v1/session", json={"username": "handler", "password": PASSWORD}).status_code == 401
    assert fresh.post("/api/v1/session", json={"username": "handler",
                                                "password": "a-new-password-2026"}).status_code == 200


def test_password_change_needs_the_current_password(app, users):
    client, token = _api_login(app, issue_token=True)
    other = _page_login(app)
    wrong = client.put("/api/v1/me/password", json={"current_password": "guess", "new_password": "whatever-123"})
    assert wrong.status_code == 422 and "current_password" in wrong.json["errors"]
    short = client.put("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and "new_password" in short.json["errors"]
    assert other.get("/worklist").status_code == 200 and _bearer(app, token).status_code == 200


def test_deactivation_ends_sessions_and_tokens_and_reactivation_does_not_revive_them(app, svc, users):
    client, token = _api_login(app, issue_token=True)
    page = _page_login(app)
    admin, _ = _api_login(app, "admin")
    assert admin.post(f"/api/v1/users/{users['handler']}/deactivate").status_code == 200
    assert client.get("/api/v1/me").status_code == 401 and page.get("/worklist").status_code == 302
    assert _bearer(app, token).status_code == 401
    assert app.test_client().post("/api/v1/session", json={"username": "handler",
                                                           "password": PASSWORD}).status_code == 401
    org_admin.reactivate_user(svc, users["admin"], users["handler"])
    assert client.get("/api/v1/me").status_code == 401 and page.get("/worklist").status_code == 302
    assert _bearer(app, token).status_code == 401


def test_an_admins_password_reset_ends_the_users_sessions_and_tokens(app, svc, users):
    client, token = _api_login(app, issue_token=True)
    org_admin.reset_password(svc, users["admin"], users["handler"], "reset-by-admin-1")
    assert client.get("/api/v1/me").status_code == 401 and _bearer(app, token).status_code == 401


def test_tokens_expire_after_the_configured_lifetime(app, svc, users, clock):
    _, token = _api_login(app, issue_token=True)
    lifetime = timedelta(days=svc.config.API_TOKEN_LIFETIME_DAYS)
    clock.advance(seconds=lifetime.total_seconds() - 1)
    assert _bearer(app, token).status_code == 200
    clock.advance(seconds=1)
    assert _bearer(app, token).status_code == 401


def test_the_token_lifetime_is_a_setting(app, svc, users, clock):
    svc.config.API_TOKEN_LIFETIME_DAYS = 1
    token = accounts.issue_token(svc, users["handler"], "short-lived")
    clock.advance(hours=23)
    assert _bearer(app, token).status_code == 200
    clock.advance(hours=1)
    assert _bearer(app, token).status_code == 401


def test_tokens_are_listed_without_their_secret_and_revoked_by_id(app, svc, users, clock):
    client, token = _api_login(app, issue_token=True)
    script = accounts.issue_token(svc, users["handler"], "夜间导出")
    listed = client.get("/api/v1/tokens").json
    assert [t["name"] for t in listed] == ["夜间导出", "api-login"]
    assert token not in str(listed) and script not in str(listed)
    assert all(t["expires_at"] > t["created_at"] for t in listed)
    assert client.delete(f"/api/v1/tokens/{listed[0]['id']}").status_code == 204
    assert _bearer(app, script).status_code == 401 and _bearer(app, token).status_code == 200
    assert [t["name"] for t in client.get("/api/v1/tokens").json] == ["api-login"]


def test_nobody_revokes_or_sees_another_users_token(app, svc, users):
    theirs = accounts.issue_token(svc, users["supervisor"], "theirs")
    client, _ = _api_login(app)
    their_id = _api_login(app, "supervisor")[0].get("/api/v1/tokens").json[0]["id"]
    assert client.get("/api/v1/tokens").json == []
    assert client.delete(f"/api/v1/tokens/{their_id}").status_code == 404
    assert client.delete("/api/v1/tokens/987654").status_code == 404
    assert _bearer(app, theirs).status_code == 200


def test_the_token_calls_need_a_login(app, users):
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/tokens").status_code == 401
    assert anonymous.delete("/api/v1/tokens/1").status_code == 401
    assert anonymous.delete("/api/v1/sessions").status_code == 401


def test_the_password_page_changes_the_password_and_ends_the_other_sessions(app, users):
    page = _page_login(app)
    other = _page_login(app)
    _, token = _api_login(app, issue_token=True)
    assert "修改密码" in page.get("/worklist").get_data(as_text=True)
    mismatch = page.post("/account/password", data={"current_password": PASSWORD, "new_password": "new-pass-2026",
                                                    "confirm_password": "other-pass-2026"})
    assert mismatch.status_code == 422 and "不一致" in mismatch.get_data(as_text=True)
    wrong = page.post("/account/password", data={"current_password": "guess", "new_password": "new-pass-2026",
                                                 "confirm_password": "new-pass-2026"})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    assert other.get("/worklist").status_code == 200
    done = page.post("/account/password", data={"current_password": PASSWORD, "new_password": "new-pass-2026",
                                                "confirm_password": "new-pass-2026"})
    assert done.status_code == 302 and page.get("/worklist").status_code == 200
    assert other.get("/worklist").status_code == 302 and _bearer(app, token).status_code == 401
