"""The handling department (承办部门) of a case: chosen at registration, inherited by linked cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases.errors import InvalidInput
from service.models import Department, Position

START_KEY = "department"


def resolve_department(session: Session, value) -> Department:
    """A department named in start data: its id (number or digits) or its exact name; active only."""
    department = None
    if isinstance(value, int) and not isinstance(value, bool):
        department = session.get(Department, value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        department = session.get(Department, int(text)) if text.isdigit() and len(text) < 10 else None
        if department is None:
            department = session.scalar(select(Department).where(Department.name == text))
    if department is None or not department.active:
        raise InvalidInput("承办部门不存在或已撤销", {START_KEY: ["请选择现有的承办部门"]})
    return department


def home_department_id(session: Session, user_id: int, at: datetime) -> int | None:
    """The department where the user is 承办人 or 部门负责人 now (the first, if several)."""
    return session.scalar(
        select(Position.department_id).where(
            Position.user_id == user_id, Position.kind.in_(("member", "head")), Position.valid_from <= at,
            (Position.valid_to.is_(None)) | (Position.valid_to > at)).order_by(Position.id).limit(1))


def handling_department_id(session: Session, data: dict, actor_id: int, inherited: int | None,
                           at: datetime) -> int | None:
    """Start data `department` if given (taken out of `data`), else the linked case's, else the starter's own,
    else the first supervision department (as the migration placed existing cases; intake should name one)."""
    if START_KEY in data:
        return resolve_department(session, data.pop(START_KEY)).id
    if inherited is not None:
        return inherited
    return home_department_id(session, actor_id, at) or session.scalar(
        select(Department.id).where(Department.kind == "supervision", Department.active.is_(True))
        .order_by(Department.id).limit(1))
