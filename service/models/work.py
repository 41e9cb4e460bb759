"""Projections of the engine state: ready human tasks and waiting timers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import UTCDateTime, utcnow


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        Index("ix_work_items_open_role_due", "completed_at", "role", "due_at"),
        Index("ix_work_items_case_open", "case_id", "completed_at"),
        Index("ix_work_items_task", "task_id", unique=True),
        Index("ix_work_items_assignee", "assignee_id", "completed_at"),
        # The worklist: open tasks of a role, most urgent first (partial: only open rows).
        Index("ix_work_items_open_by_role", "role", "due_at", "id",
              postgresql_where=text("completed_at IS NULL"), sqlite_where=text("completed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(128), default="")
    approves: Mapped[str | None] = mapped_column(String(128), nullable=True)
    form: Mapped[str | None] = mapped_column(String(256), nullable=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)  # completed / cancelled
    # What the person decided when completing it (同意, 退回修改, the option chosen) and their opinion.
    decision: Mapped[str | None] = mapped_column(String(64), nullable=True)
    opinion: Mapped[str | None] = mapped_column(Text, nullable=True)
    # For a step reopened because an approval returned it (退回): the approval's work item.
    returned_by_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_items.id"), nullable=True)
    # The position the completer held when they did the step ("approved as", e.g. 分管领导（第一监督检查室）):
    # written once, so the record stays true after a reorganisation.
    completed_as: Mapped[str | None] = mapped_column(String(160), nullable=True)


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
