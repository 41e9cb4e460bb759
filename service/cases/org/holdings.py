"""What a user holds now: positions, and acting appointments the principal made (代行), loaded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, literal, or_, select, union_all
from sqlalchemy.orm import Session

from service.cases.permissions import Holdings
from service.models import ActingAppointment, Position


def load_holdings(session: Session, user_id: int, at: datetime) -> Holdings:
    """The user's current positions and active acting appointments."""
    held = select(Position.kind, Position.department_id, literal(None).label("case_id"),
                  literal(False).label("acting")).where(
        Position.user_id == user_id, Position.valid_from <= at,
        or_(Position.valid_to.is_(None), Position.valid_to > at))
    acting = select(ActingAppointment.kind, ActingAppointment.department_id, ActingAppointment.case_id,
                    literal(True).label("acting")).where(and_(
        ActingAppointment.delegate_id == user_id, ActingAppointment.valid_from <= at, ActingAppointment.valid_to > at,
        ActingAppointment.revoked_at.is_(None)))
    rows = session.execute(union_all(held, acting)).all()  # one statement: every action starts with it
    own = {(k, d) for k, d, c, a in rows if c is None and not a}
    return Holdings(positions=frozenset((k, d) for k, d, c, _a in rows if c is None),
                    case_acting=frozenset((k, d, c) for k, d, c, _a in rows if c is not None),
                    acting=frozenset((k, d) for k, d, c, a in rows if c is None and a and (k, d) not in own))
