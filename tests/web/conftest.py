"""Fixtures for the HTML pages: the approval demo deployed, logged-in browsers-without-a-browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD, ROLE_USERS, read_files

DEMO = Path(__file__).resolve().parent.parent / "service" / "fixtures" / "approval_demo"
REGISTER = {"subject_name": "郝测试", "received_date": "2026-03-02", "is_real_name": True,
            "reporter_name": "钱举报", "reporter_phone": "13800000000"}


def demo_files() -> dict[str, bytes]:
    """The approval demo with a computed diagram, so bpmn-js can draw it."""
    from tools.bpmn_layout import layout_bytes

    files = read_files(DEMO)
    files["approval_demo.bpmn"] = layout_bytes(files["approval_demo.bpmn"])
    return files


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


def open_task_id(svc, case_id: int, bpmn_id: str) -> str:
    from sqlalchemy import select

    from service.models import WorkItem

    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.task_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id, WorkItem.completed_at.is_(None)))


@pytest.fixture
def demo_case(svc, users, demo):
    """A started approval-demo case (registered, waiting for the handler's proposal)."""
    from service.cases import actions

    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的问题线索", {})
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER))
    return case_id
