"""What a user holds now: positions, and acting appointments the principal made (代行), loaded once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from service.cases.permissions import Holdings
from service.models import ActingAppointment, Position


def load_holdings(session: Session, user_id: int, at: datetime) -> Holdings:
    """The user's current positions and active acting appointments (two indexed reads)."""
    held = session.execute(select(Position.kind, Position.department_id).where(
        Position.user_id == user_id, Position.valid_from <= at,
        or_(Position.valid_to.is_(None), Position.valid_to > at))).all()
    acting = session.execute(select(ActingAppointment.kind, ActingAppointment.department_id,
                                    ActingAppointment.case_id).where(and_(
        ActingAppointment.delegate_id == user_id, ActingAppointment.valid_from <= at, ActingAppointment.valid_to > at,
        ActingAppointment.revoked_at.is_(None)))).all()
    return Holdings(
        positions=frozenset((k, d) for k, d in held) | frozenset((k, d) for k, d, c in acting if c is None),
        case_acting=frozenset((k, d, c) for k, d, c in acting if c is not None))
