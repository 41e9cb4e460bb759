"""The session policy of requests (service/reads.py): views never pick a session, and a read after a write in the
same request sees the write."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_login import login_user

from service.cases import actions, pages
from service.models import User
from service.reads import read, read_with_services, request_session
from tests.support.approval import open_task_id

ROOT = Path(__file__).resolve().parents[2]
VIEW_PACKAGES = ("service/web", "service/api")
SESSION_CHOOSERS = {"read_session", "fresh_read_session", "request_session", "write_session"}


def session_choices(source: str) -> list[tuple[int, str]]:
    """Lines where a module names a session factory (called, imported or passed on)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in SESSION_CHOOSERS:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and node.attr in SESSION_CHOOSERS:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom):
            found.extend((node.lineno, a.name) for a in node.names if a.name in SESSION_CHOOSERS)
    return found


def test_no_view_module_chooses_a_session():
    offenders = {}
    for package in VIEW_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            hits = session_choices(path.read_text(encoding="utf-8"))
            if hits:
                offenders[str(path.relative_to(ROOT))] = hits
    assert offenders == {}, "views run queries through service.reads.read / read_with_services"


def test_the_scan_finds_a_session_choice():
    assert session_choices("from service.auth import read_session\nx = read_session().get(1)\n") == [
        (1, "read_session"), (2, "read_session")]
    assert session_choices("s = svc.db.read_session()\n") == [(1, "read_session")]


def test_a_page_read_after_a_write_in_the_same_request_sees_the_write(app, svc, users, demo_case):
    task_id = open_task_id(svc, demo_case, "propose")
    with app.test_request_context("/"):
        handler = request_session().get(User, users["handler"])
        login_user(handler)
        before = read_with_services(pages.case_page, handler, demo_case)
        assert [t.assignee_id for t in before["case"].tasks if t.task_id == task_id] == [None]
        actions.claim_task(svc, users["handler"], task_id)  # commits in its own write session
        after = read_with_services(pages.case_page, handler, demo_case)
        assert [t.assignee_id for t in after["case"].tasks if t.task_id == task_id] == [users["handler"]]
        assert after["names"].get(users["handler"]) == "郝承办"


def test_without_a_write_the_request_keeps_one_session_and_snapshot(app, svc, users, demo_case):
    with app.test_request_context("/"):
        first = request_session()
        read(pages.case_id_of_task, open_task_id(svc, demo_case, "propose"))
        assert request_session() is first and first.in_transaction()  # not rolled back between reads


def test_a_failing_header_count_surfaces_and_the_error_page_still_renders(page, monkeypatch):
    handler = page("handler")
    assert 'data-testid="task-counts"' in handler.get("/worklist").get_data(as_text=True)

    def broken(*_args):
        raise RuntimeError("count failed")

    monkeypatch.setattr(pages, "task_counts", broken)
    response = handler.get("/worklist")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器内部错误" in html  # not swallowed into a page without counts
    assert 'data-testid="task-counts"' not in html and 'data-testid="user-name"' in html
