"""The SQL forms of the per-case rules in permissions.py, for lists and counts: which open tasks a user
fills (the same resolution as `permissions.fills_task_position`)."""

from __future__ import annotations

from sqlalchemy import and_, false, or_

from service.cases.org.positions import TASK_POSITION_HOLDERS
from service.cases.permissions import Holdings
from service.models import Case, WorkItem

# The first cut's role names that stand for each task position (read through the lane for `leader`).
_LEGACY = {"dept_member": "handler", "dept_head": "supervisor", "committee": "committee", "intake": "intake"}


def task_position_is(position: str):
    """Work items whose (role, lane) resolve to `position` (mirrors positions.task_position)."""
    named = WorkItem.role == position
    if position == "deputy":
        return or_(named, and_(WorkItem.role == "leader", WorkItem.lane.like("%分管%")))
    if position == "principal":
        return or_(named, and_(WorkItem.role == "leader", WorkItem.lane.not_like("%分管%")))
    if position in _LEGACY:
        return or_(named, WorkItem.role == _LEGACY[position])
    return named


def filled_tasks(holdings: Holdings):
    """Open work items (joined with their case) whose position the holder fills on that case."""
    clauses = []
    for position, (kinds, in_department) in TASK_POSITION_HOLDERS.items():
        if in_department:
            departments = {d for k, d in holdings.positions if k in kinds and d is not None}
            if departments:
                clauses.append(and_(task_position_is(position), Case.department_id.in_(sorted(departments))))
        elif any(k in kinds for k, _d in holdings.positions):
            clauses.append(task_position_is(position))
        for kind, department_id, case_id in holdings.case_acting:
            if kind in kinds:
                scope = [Case.id == case_id] + ([Case.department_id == department_id] if in_department else [])
                clauses.append(and_(task_position_is(position), *scope))
    return or_(*clauses) if clauses else false()
