"""The services an action needs: database, engine, clock and configuration, bundled explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import current_app

from service.config import Config
from service.db import Database
from service.models import ProcessVersion
from workflows.calendar import WorkCalendar
from workflows.engine import WorkflowEngine
from workflows.specs import ProcessBundle, load_bundle_cached

if TYPE_CHECKING:
    from service.calendar_admin import CalendarSource


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: Config
    db: Database
    engine: WorkflowEngine
    clock: Callable[[], datetime]
    calendar_source: CalendarSource | None = None

    def now(self) -> datetime:
        return self.clock()

    def calendar(self) -> WorkCalendar:
        """The working-day calendar with the admin's overrides (reloaded when they change)."""
        return self.calendar_source.refresh() if self.calendar_source is not None else WorkCalendar()

    def bundle(self, version: ProcessVersion) -> ProcessBundle:
        """The parsed process of a version (cached by content hash)."""
        self.calendar()  # actions get here before the engine runs: load calendar changes outside expression limits
        return load_bundle_cached(version.file_bytes())


def build_services(config: Config, clock: Callable[[], datetime] | None = None) -> Services:
    clock = clock or system_clock
    from service.calendar_admin import CalendarSource

    db = Database(config.DATABASE_URL, echo=config.SQL_ECHO)
    calendar = CalendarSource(db)
    engine = WorkflowEngine(clock=clock, tz=config.TIMEZONE, calendar=calendar)
    return Services(config=config, db=db, engine=engine, clock=clock, calendar_source=calendar)


def services() -> Services:
    """The services of the current Flask app."""
    return current_app.extensions["qingfeng"]
