"""The organisation: departments, positions held by users over time, acting appointments, access grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import UTCDateTime, utcnow


class Department(Base):
    """A department of the body (信访室, 第一监督检查室, ...); `kind` says what it does."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="other")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Position(Base):
    """A position a user holds from `valid_from` until `valid_to` (open-ended while NULL).

    Department positions (member, head) name the department; a deputy holds one row per department
    they oversee. Rows are never deleted: ending a position sets `valid_to`, so who held what, when,
    stays on record.
    """

    __tablename__ = "positions"
    __table_args__ = (
        Index("ix_positions_user_current", "user_id", "valid_to"),
        Index("ix_positions_kind_department", "kind", "department_id", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class ActingAppointment(Base):
    """The principal names a delegate to act in a position (代行) until `valid_to`."""

    __tablename__ = "acting_appointments"
    __table_args__ = (Index("ix_acting_delegate", "delegate_id", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text)
    appointed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AccessGrant(Base):
    """The principal lets a user read one case, for a reason, until an end date."""

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_user_case", "user_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
