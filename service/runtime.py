"""Wiring above the case layer: build the services of one app, and find them from a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from service.cases.calendar_source import CalendarSource
from service.cases.runtime import Services, system_clock
from service.cases.storage import build_storage
from service.config import Config
from service.db import Database
from workflows.engine import WorkflowEngine


def build_services(config: Config, clock: Callable[[], datetime] | None = None) -> Services:
    """Database, holiday calendar, engine and clock of one app (or one CLI run, worker, benchmark)."""
    clock = clock or system_clock
    db = Database(config.DATABASE_URL, echo=config.SQL_ECHO)
    calendar = CalendarSource(db)
    engine = WorkflowEngine(clock=clock, tz=config.TIMEZONE, calendar=calendar, bounds=config.run_bounds())
    return Services(config=config, db=db, engine=engine, clock=clock, calendar_source=calendar,
                    attachments=build_storage(config))


def services() -> Services:
    """The services of the current Flask app."""
    return current_app.extensions["qingfeng"]
