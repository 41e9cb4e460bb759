"""Permission rules live in one module: `service/cases/permissions.py`. Nothing else reads roles."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

from service.cases import permissions as p
from service.cases.permissions import CaseContext

ROOT = Path(__file__).resolve().parents[2]
PERMISSIONS = Path("service/cases/permissions.py")
# where `roles` may be touched without deciding anything: the column's definition and setting it
ROLE_STORAGE = {Path("service/models/users.py"), Path("service/cases/accounts.py")}


def role_reads(source: str) -> list[int]:
    """Lines that read `.roles` or call `has_role` (attribute access, however spelled)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Attribute) and node.attr in ("roles", "has_role"))


def test_no_python_module_outside_permissions_reads_roles():
    offenders = {}
    for path in sorted((ROOT / "service").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel == PERMISSIONS or rel in ROLE_STORAGE:
            continue
        lines = role_reads(path.read_text(encoding="utf-8"))
        if lines:
            offenders[str(rel)] = lines
    assert offenders == {}


def test_no_template_decides_by_role():
    """Templates show roles (`|roles`) but ask the page's permission flags, never `has_role` or `in ….roles`."""
    offenders = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found = re.findall(r"has_role|in\s+[\w.]+\.roles\b|\.roles\s*(?!\|\s*roles)[^\s|}]", text)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_source_check_would_notice_a_role_check():
    assert role_reads("if user.has_role('admin'):\n    pass\nx = 'handler' in actor.roles\n") == [1, 3]


def _user(*roles: str, id: int = 7):
    return SimpleNamespace(id=id, roles=tuple(roles))


def test_a_recused_user_may_neither_read_nor_act_on_the_case_whatever_the_role():
    recused = CaseContext(case_id=1, recused=True, handler_id=7)
    admin = _user("admin", "handler", "supervisor", "leader", "intake")
    assert not p.may_read_case(admin, recused)
    assert not p.may_do_task(admin, "handler", recused)
    assert not p.may_control_deadline(admin, "handler", recused)
    assert not p.may_approve_extensions(admin, recused)
    assert not p.may_see_reporter(admin, recused)
    assert not p.may_read_audit(admin, recused)
    assert p.may_read_case(admin, CaseContext(case_id=1))


def test_need_to_know_admits_intake_the_handler_and_the_approvers_only():
    case = CaseContext(case_id=1, handler_id=7, approver_ids=frozenset({8}), open_approval_roles=frozenset({"leader"}))
    assert p.may_see_reporter(_user("intake", id=1), case)
    assert p.may_see_reporter(_user("handler", id=7), case)
    assert p.may_see_reporter(_user("supervisor", id=8), case)
    assert p.may_see_reporter(_user("leader", id=9), case)
    assert not p.may_see_reporter(_user("handler", id=2), case)
    assert not p.may_see_reporter(_user("auditor", "admin", id=3), case)


def test_task_rules_follow_the_task_role_and_the_claim():
    handler = _user("handler", id=7)
    assert p.may_take_task(handler, "handler", None)
    assert p.may_take_task(handler, "handler", 7)
    assert not p.may_take_task(handler, "handler", 8)
    assert not p.may_take_task(handler, "leader", None)
    assert p.may_release_task(handler, 7) and not p.may_release_task(handler, 8)
    assert p.may_release_task(_user("admin", id=1), 8)
    assert p.violates_four_eyes(handler, 7) and not p.violates_four_eyes(handler, None)


def test_auditors_read_redacted_data_and_versions_but_do_not_deploy():
    auditor = _user("auditor")
    assert p.redact_case_data(auditor, {"allegation_summary": "x", "title": "t"}) == {
        "allegation_summary": "【已隐去】", "title": "t"}
    assert p.may_read_versions(auditor) and not p.may_deploy(auditor)
    assert p.may_start(_user("intake"), ["intake", "handler"]) and not p.may_start(_user("intake"), [])
