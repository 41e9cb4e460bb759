"""What the operators' checks read: the timer workers' heartbeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import UTCDateTime


class WorkerHeartbeat(Base):
    """One row per running timer worker, rewritten after every pass; readiness and metrics read it."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)  # "<host>:<pid>"
    kind: Mapped[str] = mapped_column(String(32))  # "timer"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_seconds: Mapped[float] = mapped_column(Float)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    fired_cases: Mapped[int] = mapped_column(Integer, default=0)  # cases with timers fired, since start
