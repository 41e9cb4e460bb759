"""The working-day calendar as the database holds it: overrides and covered years, reloaded on change.

`CalendarSource` is what the engine and the queries call for the current `WorkCalendar`. It rebuilds
the calendar when the `calendar_revisions` counter moves (checked at most every `ttl` seconds, and at
once in the process that made the edit). The admin actions that edit it are in `calendar_admin`.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import Database
from service.models import CalendarRevision, HolidayOverride, HolidayYear
from workflows.calendar import Override, WorkCalendar

REVISION_ROW = 1


def load_calendar(session: Session) -> WorkCalendar:
    """A WorkCalendar from the override table and the declared years."""
    overrides = [Override(row.day, row.is_workday, row.reason)
                 for row in session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))]
    years = session.scalars(select(HolidayYear.year)).all()
    return WorkCalendar(overrides, years)


def _revision(session: Session) -> int:
    return session.scalar(select(CalendarRevision.revision).where(CalendarRevision.id == REVISION_ROW)) or 0


class CalendarSource:
    """The current DB-backed WorkCalendar, cached by the revision counter.

    `refresh()` may read the database and is called by the service before the engine runs
    (`Services.bundle`, `Services.calendar`); calling the source itself, as the engine's expression
    helpers do, returns the cached calendar, so expression time limits never include a query.
    """

    def __init__(self, db: Database, ttl: float = 5.0):
        self.db = db
        self.ttl = ttl
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._revision: int | None = None
        self._checked = 0.0

    def __call__(self) -> WorkCalendar:
        calendar = self._calendar
        return calendar if calendar is not None else self.refresh(force=True)

    def refresh(self, force: bool = False) -> WorkCalendar:
        """Reload when the revision moved (checked at most every `ttl` seconds unless forced)."""
        with self._lock:
            if not force and self._calendar is not None and time.monotonic() - self._checked < self.ttl:
                return self._calendar
            with self.db.read_session() as session:
                revision = _revision(session)
                if self._calendar is None or revision != self._revision:
                    self._calendar, self._revision = load_calendar(session), revision
            self._checked = time.monotonic()
            return self._calendar

    def invalidate(self) -> None:
        """Reload now (after an edit committed in this process)."""
        self.refresh(force=True)
