"""Fixtures for the HTML page tests: the approval demo deployed, clients logged in through /login."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, ROLE_USERS
from tests.support.approval import REGISTER_DATA, demo_files, open_task_id


@pytest.fixture
def demo(deploy):
    return deploy(demo_files())


class Page:
    """A test client logged in through the login page."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, **kw):
        return self.client.post(path, data=data or {}, **kw)


@pytest.fixture
def page(app, users):
    """page('handler') -> a logged-in Page."""
    made: dict[str, Page] = {}

    def make(name: str) -> Page:
        if name not in made:
            made[name] = Page(app, ROLE_USERS[name][0])
        return made[name]

    return make


@pytest.fixture
def demo_case(svc, users, demo):
    """A started approval-demo case, registered with a reporter, waiting for the handler's proposal."""
    from service.cases import actions

    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的问题线索", {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    return case_id
