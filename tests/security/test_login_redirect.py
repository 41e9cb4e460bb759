"""The login page follows `next` only to a path on this site, whatever its encoding (open redirect class)."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from service.web.targets import is_same_site_path
from tests.conftest import PASSWORD

# What `next` holds once the query string is decoded; each one leaves the site in some browser or proxy.
OFFSITE = [
    "//evil.example", "///evil.example", "////evil.example", "/\t/evil.example", "/\n/evil.example",
    "/\r\n/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example", "/\x00/evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "/\t\\evil.example",
    "https://evil.example", "http:evil.example", "HTTPS://evil.example/x", "//evil.example/%2F..",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "evil.example", "@evil.example",
    "%2F%2Fevil.example", "/%2Fevil.example", "/%2F/evil.example", "/%252F/evil.example",
    "/%25252F%25252Fevil.example", "/%5Cevil.example", "/%5C%5Cevil.example", "/%09/evil.example",
    "/%0A/evil.example", "/%0D%0A/evil.example", "/%E3%80%80/evil.example", "/\u3000/evil.example",
    "/\u2028/evil.example", "/\u200b/evil.example", "/\ufeff/evil.example", "/\x7f/evil.example",
    "/\x85/evil.example", "", " ", "/%2525252525252F",
]
LOCAL = ["/worklist", "/cases?status=open&q=%E5%BC%A0", "/tasks/5", "/cases/3#reporter", "/designer/processes/x"]


def _login(app, users, next_value: str):
    client = app.test_client()
    return client.post("/login", query_string="next=" + quote(next_value, safe=""),
                       data={"username": "handler", "password": PASSWORD})


def _lands_on_this_site(location: str) -> bool:
    """Resolve the Location as a browser does: tabs/newlines dropped, backslashes read as slashes."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").strip("\x00 ").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned)).netloc == "localhost"


@pytest.mark.parametrize("target", OFFSITE)
def test_login_never_redirects_off_site(app, users, target):
    response = _login(app, users, target)
    if "\x00" in target:  # a NUL character in the query is refused before anything reads it (no redirect at all)
        assert response.status_code == 422
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/worklist", location
    assert _lands_on_this_site(location)


@pytest.mark.parametrize("target", LOCAL)
def test_login_follows_a_same_site_path(app, users, target):
    response = _login(app, users, target)
    assert response.status_code == 302 and response.headers["Location"] == target


def test_the_reported_payload_goes_to_the_worklist(app, users):
    client = app.test_client()
    response = client.post("/login?next=%2F%09%2Fevil.example", data={"username": "handler", "password": PASSWORD})
    assert response.headers["Location"] == "/worklist"


@pytest.mark.parametrize("target", OFFSITE)
def test_no_offsite_target_counts_as_a_same_site_path(target):
    assert not is_same_site_path(target)


CLAIM_TARGETS = ["/\t/evil.example", "/%2F/evil.example", "https://evil.example", "/worklist?scope=mine"]


@pytest.mark.parametrize("target", CLAIM_TARGETS)
def test_the_claim_forms_next_field_is_held_to_the_same_rule(app, svc, users, deploy, target):
    from service.cases import actions
    from tests.support.approval import REGISTER_DATA, demo_files, open_task_id
    from tests.web.conftest import Page

    deploy(demo_files())
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的问题线索", {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    task_id = open_task_id(svc, case_id, "propose")
    response = Page(app, "handler").post(f"/tasks/{task_id}/claim", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == (target if target.startswith("/worklist") else "/worklist")
