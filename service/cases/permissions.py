"""Pure predicates: who may see and do what. No database, no Flask."""

from __future__ import annotations

from collections.abc import Iterable

CASE_READER_ROLES = ("intake", "handler", "supervisor", "leader", "committee", "auditor", "admin")
REPORTER_ROLES = ("intake",)
DEPLOYER_ROLES = ("designer", "admin")
AUDIT_READER_ROLES = ("handler", "supervisor", "leader", "committee", "auditor", "admin", "intake")
# Fields an auditor reads only as "redacted": the content of the report is secret (domain.md §8.1).
AUDITOR_REDACTED_KEYS = ("allegation_summary", "allegation_detail", "letter_content")


def can_read_cases(roles: Iterable[str]) -> bool:
    return any(r in CASE_READER_ROLES for r in roles)


def can_read_case(roles: Iterable[str], recused: bool) -> bool:
    return not recused and can_read_cases(roles)


def can_start(roles: Iterable[str], start_roles: Iterable[str]) -> bool:
    allowed = set(start_roles)
    return bool(allowed) and any(r in allowed for r in roles)


def can_complete(roles: Iterable[str], task_role: str) -> bool:
    return task_role in set(roles)


def violates_four_eyes(actor_id: int, approved_step_completed_by: int | None) -> bool:
    return approved_step_completed_by is not None and approved_step_completed_by == actor_id


def can_deploy(roles: Iterable[str]) -> bool:
    return any(r in DEPLOYER_ROLES for r in roles)


def can_see_reporter(
    actor_id: int, roles: Iterable[str], recused: bool, handler_id: int | None, approver_ids: Iterable[int],
    open_approval_roles: Iterable[str],
) -> bool:
    """Need to know: intake staff, the case's handler, and the approvers on its chain (domain.md §8.2)."""
    if recused:
        return False
    roles = set(roles)
    if roles & set(REPORTER_ROLES):
        return True
    if handler_id is not None and actor_id == handler_id:
        return True
    if actor_id in set(approver_ids):
        return True
    return bool(roles & set(open_approval_roles))


def redact_case_data(roles: Iterable[str], data: dict) -> dict:
    roles = set(roles)
    if roles & {"intake", "handler", "supervisor", "leader", "committee", "admin"}:
        return dict(data)
    return {k: ("【已隐去】" if k in AUDITOR_REDACTED_KEYS else v) for k, v in data.items()}
