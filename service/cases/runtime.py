"""The services an action needs: database, engine, clock and configuration, bundled explicitly.

Built by `service.runtime.build_services` (the wiring above the case layer); nothing here reads Flask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from service.cases.storage import AttachmentStorage
from service.config import Config
from service.db import Database
from service.models import ProcessVersion
from workflows.calendar import WorkCalendar
from workflows.engine import WorkflowEngine
from workflows.specs import ProcessBundle, load_bundle_cached

if TYPE_CHECKING:
    from service.cases.calendar_source import CalendarSource


def system_clock() -> datetime:
    return datetime.now(UTC)


class WorkflowCache:
    """Recently used workflows by case, each valid only for the case version it was saved as.

    An action takes (removes) the entry, so a failed transaction can never leave a half-changed
    workflow behind; it puts the workflow back only after its commit. Another process that changed
    the case bumped the version, so a stale entry is simply not used.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[int, tuple[int, object, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        with self._lock:
            entry = self._items.pop(case_id, None)
        return entry[1] if entry is not None and entry[0] == version else None

    def case_data(self, case_id: int, version: int) -> dict | None:
        """The case data saved with `version`, if cached (a snapshot nobody mutates, unlike the workflow)."""
        with self._lock:
            entry = self._items.get(case_id)
        return entry[2] if entry is not None and entry[0] == version else None

    def put(self, case_id: int, version: int, wf, data: dict) -> None:
        with self._lock:
            self._items[case_id] = (version, wf, data)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class TaskForms:
    """The form schema of recently opened tasks by task id, so a completion can validate its data before it
    takes any lock without a read of its own. A task's form never changes; a miss just means one read."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[str, tuple[dict | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, task_id: str) -> tuple[dict | None] | None:
        """(schema or None for a task without a form,) if known."""
        with self._lock:
            return self._items.get(task_id)

    def remember(self, forms: dict[str, dict | None]) -> None:
        with self._lock:
            for task_id, schema in forms.items():
                self._items[task_id] = (schema,)
                self._items.move_to_end(task_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class Services:
    config: Config
    db: Database
    engine: WorkflowEngine
    clock: Callable[[], datetime]
    calendar_source: CalendarSource | None = None
    attachments: AttachmentStorage | None = None    # where attachment bytes live (service.cases.storage)
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    task_forms: TaskForms = field(default_factory=TaskForms)
    _bundles: dict = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today's date in the configured zone (a receipt date may not lie after it)."""
        return self.now().astimezone(ZoneInfo(self.config.TIMEZONE)).date()

    def calendar(self) -> WorkCalendar:
        """The working-day calendar with the admin's overrides (reloaded when they change)."""
        return self.calendar_source.refresh() if self.calendar_source is not None else WorkCalendar()

    def bundle(self, version: ProcessVersion) -> ProcessBundle:
        """The parsed process of a version (cached by content hash)."""
        return self._bundle(version.id, version.sha256, lambda: version)

    def remember_bundle(self, version_id: int, bundle: ProcessBundle) -> None:
        """The parsed process of a version just deployed (so the deploy's diff does not parse it again)."""
        self._bundles[version_id] = bundle

    def bundle_of(self, session, version_id: int, sha256: str) -> ProcessBundle:
        """The parsed process of a version known by id and hash: loads the version's files only if not cached."""
        return self._bundle(version_id, sha256, lambda: session.get(ProcessVersion, version_id))

    def _bundle(self, version_id: int, sha256: str, version: Callable[[], ProcessVersion]) -> ProcessBundle:
        self.calendar()  # actions get here before the engine runs: load calendar changes outside expression limits
        bundle = self._bundles.get(version_id)
        if bundle is None or bundle.sha256 != sha256:  # versions are immutable; ids repeat only in tests
            bundle = self._bundles[version_id] = load_bundle_cached(version().file_bytes())
        return bundle
