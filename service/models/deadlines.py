"""Deadline clock control (中止 / 延期) and the calendar data an admin maintains beside the overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import JSONDoc, UTCDateTime, utcnow


class DeadlineSuspension(Base):
    """A suspension (中止) of one task's deadline: requested (`pending`), then `approved` by another person, when
    the clock stops, or `rejected`. An approved suspension is open while `resumed_at` is null."""

    __tablename__ = "deadline_suspensions"
    __table_args__ = (Index("ix_deadline_suspensions_task_open", "task_id", "resumed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    suspended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who asked for it
    suspended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when the clock stopped (approval)
    status: Mapped[str] = mapped_column(String(16), default="approved", server_default="approved")
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    due_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the task's due time
    timer_dues: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # {timer task id: ISO due} held back
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resume_reason: Mapped[str] = mapped_column(Text, default="")
    workdays: Mapped[int | None] = mapped_column(Integer, nullable=True)  # working days the clock stood still
    due_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeadlineExtension(Base):
    """A request to extend a task's deadline by some working days; it moves nothing until approved."""

    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    workdays: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending / approved / rejected
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    due_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HolidayYear(Base):
    """A year whose holidays an admin has entered in full in the override table (no warning for it)."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(String(256), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarRevision(Base):
    """One row whose counter every calendar edit bumps, so each process knows when to reload."""

    __tablename__ = "calendar_revisions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
