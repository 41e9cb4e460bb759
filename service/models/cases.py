"""Cases, their links, recusals and reference numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import UTCDateTime, utcnow

STATUS_LABELS = {"open": "办理中", "completed": "已办结"}


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_due", "status", "due_at"),
        Index("ix_cases_process_status", "process_key", "status"),
        Index("ix_cases_created", "created_at"),
        # Statistics (service/cases/stats): a process's cases in a period, by department.
        Index("ix_cases_stats", "process_key", "created_at", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(256))
    process_key: Mapped[str] = mapped_column(String(64))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stage: Mapped[str] = mapped_column(String(256), default="")
    subject_name: Mapped[str] = mapped_column(String(64), default="", index=True)
    subject_unit: Mapped[str] = mapped_column(String(128), default="")
    clue_no: Mapped[str] = mapped_column(String(32), default="")
    # Set at registration when the clue goes to the higher body (jurisdiction.py): who alone may read it.
    restricted_circle: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # What a clue alleges, as registered: repeat clues about the same cadre are found by it (cadres.py).
    allegation_summary: Mapped[str] = mapped_column(String(500), default="", server_default="")
    allegation_category: Mapped[str] = mapped_column(String(32), default="", server_default="")
    department: Mapped[str] = mapped_column(String(128), default="")
    # The handling department (承办部门): set at registration or by an audited transfer.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True, index=True)
    # The cadre the case is about (service/models/cadres.py); set from the subject fields or by registration.
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"), nullable=True, index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Engine state without the spec. Plain JSON (not JSONB): SpiffWorkflow's delta-encoded task data
    # must be restored in the key order it was written in, which JSONB does not keep.
    # Deferred: an action whose workflow is cached in memory never loads or parses it.
    state: Mapped[dict] = mapped_column(JSON, deferred=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Statistical facts projected from the case data by service/cases/stats/facts.py (null until known):
    # the figures are SQL aggregates over these columns, never a replay of the engine or the audit trail.
    cadre_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    disposition_form: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    measures: Mapped[str | None] = mapped_column(String(512), nullable=True)  # "|谈话提醒|诫勉|"
    clue_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    clue_channel: Mapped[str | None] = mapped_column(String(8), nullable=True)
    real_name: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    disposal: Mapped[str | None] = mapped_column(String(16), nullable=True)
    finding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cleared: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    report_type: Mapped[str | None] = mapped_column(String(8), nullable=True)
    grade: Mapped[str | None] = mapped_column(String(8), nullable=True)
    visited: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class CaseLink(Base):
    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("from_case_id", "request_name", name="uq_case_links_request"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    to_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    request_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Recusal(Base):
    __tablename__ = "recusals"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_recusals_case_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecusalRequest(Base):
    """A 回避 matter on a case, from its raising to its end: a staff member's own declaration, or a challenge
    by the subject or the reporter recorded by intake (both with grounds), or a decider's own decision.

    `status`: pending → upheld (a `recusals` row binds the person from then on) or rejected; upheld → lifted
    (the `recusals` row goes, this row keeps who lifted it, when and why)."""

    __tablename__ = "recusal_requests"
    __table_args__ = (Index("ix_recusal_requests_case_status", "case_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))                  # declaration, challenge, decision
    challenger: Mapped[str | None] = mapped_column(String(16), nullable=True)   # subject, reporter
    ground: Mapped[str] = mapped_column(String(32))
    grounds: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
