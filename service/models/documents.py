"""Documents (文书) with their numbers, evidence attachments, and the archived case file (案卷)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import JSONDoc, UTCDateTime, utcnow


class DocumentCounter(Base):
    """The last 文号 issued per document type and year; its row is locked FOR UPDATE while a number is taken."""

    __tablename__ = "document_counters"

    doc_type: Mapped[str] = mapped_column(String(48), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """One issued document: its number and its text as issued (DOCX and PDF are rendered from `content`)."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("doc_type", "year", "seq", name="uq_documents_number"),
                      Index("ix_documents_case", "case_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    doc_type: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(64))           # 函询通知书
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))          # 高纪函〔2026〕12号
    title: Mapped[str] = mapped_column(String(256))
    task_bpmn_id: Mapped[str] = mapped_column(String(128))
    task_title: Mapped[str] = mapped_column(String(256), default="")
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    content: Mapped[dict] = mapped_column(JSONDoc)           # title, recipient, body, fields, signatures, ...
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)   # 作废: keeps its number
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")


class Attachment(Base):
    """An uploaded evidence file or incoming letter; the bytes live in the attachment storage under `storage_key`."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    task_title: Mapped[str] = mapped_column(String(256), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))            # pdf, image, office, audio (checked by content)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseArchive(Base):
    """The archiving (归档) of a closed case: from then on the case is read-only and every read is audited."""

    __tablename__ = "case_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    archive_no: Mapped[str] = mapped_column(String(64), unique=True)    # 归档号 / 案卷号
    retention: Mapped[str] = mapped_column(String(32))                   # 保管期限
    archived_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest_sha256: Mapped[str] = mapped_column(String(64), default="")
    audit_last_hash: Mapped[str] = mapped_column(String(64), default="")
