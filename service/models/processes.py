"""Immutable process versions: the files a process runs on, identified by their content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import JSONDoc, UTCDateTime, utcnow


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_process_versions_key_version"),
        UniqueConstraint("process_key", "sha256", name="uq_process_versions_key_sha"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict] = mapped_column(JSONDoc)  # {relative name: text}
    start_roles: Mapped[str] = mapped_column(String(256), default="")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(String(512), default="")

    def file_bytes(self) -> dict[str, bytes]:
        return {name: text.encode("utf-8") for name, text in self.files.items()}

    @property
    def start_role_list(self) -> tuple[str, ...]:
        return tuple(r for r in self.start_roles.split(",") if r)
