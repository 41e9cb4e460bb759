"""The SQL forms of the per-case rules in permissions.py, for lists and counts: which open tasks a user
fills (the same resolution as `permissions.fills_task_position`), and who may read a case at all
(need to know, `readable_cases`): one rule, as SQL, that every list, count, search, page and action applies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import aliased

from service.cases.jurisdiction import BODY_HEAD
from service.cases.org.positions import TASK_POSITION_HOLDERS
from service.cases.permissions import Holdings
from service.models import AccessGrant, Case, WorkItem

# The first cut's role names that stand for each task position (read through the lane for `leader`).
_LEGACY = {"dept_member": "handler", "dept_head": "supervisor", "committee": "committee", "intake": "intake"}


def task_position_is(position: str, item=WorkItem):
    """Work items whose (role, lane) resolve to `position` (mirrors positions.task_position)."""
    WorkItem = item  # noqa: N806 - the same expressions on an alias
    named = WorkItem.role == position
    if position == "deputy":
        return or_(named, and_(WorkItem.role == "leader", WorkItem.lane.like("%分管%")))
    if position == "principal":
        return or_(named, and_(WorkItem.role == "leader", WorkItem.lane.not_like("%分管%")))
    if position in _LEGACY:
        return or_(named, WorkItem.role == _LEGACY[position])
    return named


def filled_tasks(holdings: Holdings, item=WorkItem, case=Case):
    """Open work items (joined with their case) whose position the holder fills on that case."""
    WorkItem, Case = item, case  # noqa: N806 - the same expressions on aliases
    clauses = []
    for position, (kinds, in_department) in TASK_POSITION_HOLDERS.items():
        if in_department:
            departments = {d for k, d in holdings.positions if k in kinds and d is not None}
            if departments:
                clauses.append(and_(task_position_is(position, WorkItem), Case.department_id.in_(sorted(departments))))
        elif any(k in kinds for k, _d in holdings.positions):
            clauses.append(task_position_is(position, WorkItem))
        for kind, department_id, case_id in holdings.case_acting:
            if kind in kinds:
                scope = [Case.id == case_id] + ([Case.department_id == department_id] if in_department else [])
                clauses.append(and_(task_position_is(position, WorkItem), *scope))
    return or_(*clauses) if clauses else false()


# Body-wide positions that read every case: the principal (纪工委书记) and the auditors (content redacted
# by permissions.redact_case_data). Case management (案管) reads the register of every case, not its content.
ALL_CASES_POSITIONS = ("principal", "auditor")
# Aliases made once: SQLAlchemy memoizes the adapted columns per alias, so building the rule per request stays
# cheap (a fresh alias per call spent most of a list's Python time adapting columns).
_ITEM, _CASE = aliased(WorkItem, name="nk_item"), aliased(Case, name="nk_case")
REGISTER_POSITIONS = ("case_management",)


def readable_cases(user_id: int, holdings: Holdings, at: datetime, register: bool = False):
    """Need to know (issue 13 point 4), as a condition on `Case`: the cases whose content the user may read.

    The case's handler; whoever registered it, claims or claimed one of its tasks or completed one of its
    steps; whoever fills an open task of it (its department's members and head, the overseeing deputy,
    an open approval level, an acting appointment); its handling department's head and the deputy
    overseeing that department; the principal and auditors; committee members once it has a committee
    step; 审理 once it has a review step; holders of an unexpired, unrevoked access grant.
    `register`: the case register (numbers, status, deadlines) also for case management.
    Recusal is applied apart (it wins over all of this). Everyone else: the case does not exist for them.
    A clue that went to the higher body (`restricted_circle`) narrows all of this to intake and the principal."""
    circle = _restricted(holdings)
    if holdings.holds(ALL_CASES_POSITIONS) or (register and holdings.holds(REGISTER_POSITIONS)):
        return true() if circle is None else circle
    item, case = _ITEM, _CASE
    clauses = [
        Case.handler_id == user_id,
        Case.created_by_id == user_id,
        Case.id.in_(select(item.case_id).where(or_(item.assignee_id == user_id, item.completed_by_id == user_id))),
        Case.id.in_(select(item.case_id).join(case, case.id == item.case_id)
                    .where(item.completed_at.is_(None), filled_tasks(holdings, item, case))),
        Case.id.in_(select(AccessGrant.case_id).where(AccessGrant.user_id == user_id, AccessGrant.valid_to > at,
                                                      AccessGrant.revoked_at.is_(None))),
    ]
    overseen = sorted(d for k, d in holdings.positions if k in ("head", "deputy") and d is not None)
    if overseen:
        clauses.append(Case.department_id.in_(overseen))
    for position, kinds in (("committee", ("committee_member", "committee_recorder")), ("review", ("review",))):
        if holdings.holds(kinds):
            clauses.append(Case.id.in_(select(item.case_id).where(task_position_is(position, item))))
    return or_(*clauses) if circle is None else and_(circle, or_(*clauses))


def _restricted(holdings: Holdings):
    """干部管理权限 (jurisdiction.py): a clue about a cadre a higher body manages is read by intake and the principal
    only, one about this body's head by intake only; None: no narrowing for this user (intake)."""
    if holdings.holds(("intake",)):
        return None
    if holdings.holds(("principal",)):
        return Case.restricted_circle != BODY_HEAD
    return Case.restricted_circle == ""
