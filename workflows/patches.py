"""Process-wide, idempotent adjustments of SpiffWorkflow: injected clock for timers, no loop depth stall.

Timers: SpiffWorkflow's timer module calls `datetime.now(timezone.utc)` and reads `LOCALTZ` for naive
timestamps.  We replace that module's `datetime` with a subclass whose `now()` reads the clock of
the engine operation running in this thread/context (a ContextVar set by `engine_clock`), and its
`LOCALTZ` with a tzinfo that follows the engine's zone.  Outside an engine operation both behave
like the originals, so other users of SpiffWorkflow in the process are not affected.

Loop depth: `TaskIterator` stops descending at depth 1000, which silently stalls a loop after ~333
rounds (engine-notes §2).  All iterators are built with the default `max_depth`, so we raise the
default of `TaskIterator` and `BpmnTaskIterator`.

Why these two stay patches (checked against SpiffWorkflow 3.2; subclasses or injected collaborators
are used wherever the library allows: the sandbox is an injected script engine, migration and diffs
go through `workflows.migration`, timer text is checked by `workflows.bounds` before Spiff parses it):
- The timer classes read the time through module globals from static methods that the library calls
  class-qualified (`TimerEventDefinition.get_timedelta_from_start(...)`, `get_datetime`,
  `parse_iso_recurring_interval`), so subclassing the three timer definitions would not reach them;
  and the library takes no clock argument. The patch is scoped by a ContextVar: outside an engine
  operation the module behaves exactly as shipped.
- Iterators with the default depth are built inside the library itself (`Workflow.get_tasks`,
  `Join`, `ThreadMerge`, `Gate`, boundary-event control specs, `Task.__iter__`), not only through calls
  we make, so a `max_depth` argument or a workflow subclass cannot reach them all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator

MAX_TASK_DEPTH = 10**7

_ClockSetting = tuple[Callable[[], datetime], ZoneInfo]
_clock: ContextVar[_ClockSetting | None] = ContextVar('qingfeng_clock', default=None)
_lock = threading.Lock()
_installed = False
_ORIGINAL_LOCALTZ = spiff_timer.LOCALTZ


def clock_now(tz: tzinfo | None = None) -> datetime:
    """Now according to the running engine's clock (aware), or the real clock outside engine calls."""
    current = _clock.get()
    if current is None:
        return datetime.now(tz)
    moment = current[0]()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz) if tz is not None else moment.astimezone(current[1]).replace(tzinfo=None)


class EngineDatetime(datetime):
    """datetime whose now() follows the engine clock of the current context."""

    @classmethod
    def now(cls, tz=None):
        """Current time from the engine clock."""
        return clock_now(tz)


class EngineLocalZone(tzinfo):
    """The engine's zone inside engine operations, the server's zone elsewhere."""

    def _zone(self) -> tzinfo:
        current = _clock.get()
        return current[1] if current is not None else _ORIGINAL_LOCALTZ

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        """Offset of the current zone."""
        return self._zone().utcoffset(dt)

    def dst(self, dt: datetime | None) -> timedelta | None:
        """DST offset of the current zone."""
        return self._zone().dst(dt)

    def tzname(self, dt: datetime | None) -> str | None:
        """Name of the current zone."""
        return self._zone().tzname(dt)


def _raise_default(func, name: str, value) -> None:
    code = func.__code__
    params = code.co_varnames[1:code.co_argcount]          # without self
    defaults = list(func.__defaults__)
    index = params.index(name) - (len(params) - len(defaults))
    defaults[index] = value
    func.__defaults__ = tuple(defaults)


def install() -> None:
    """Apply the patches once per process (thread-safe)."""
    global _installed
    with _lock:
        if _installed:
            return
        spiff_timer.datetime = EngineDatetime
        spiff_timer.LOCALTZ = EngineLocalZone()
        _raise_default(TaskIterator.__init__, 'max_depth', MAX_TASK_DEPTH)
        _raise_default(BpmnTaskIterator.__init__, 'max_depth', MAX_TASK_DEPTH)
        _installed = True


@contextmanager
def engine_clock(clock: Callable[[], datetime], zone: ZoneInfo) -> Iterator[None]:
    """Make SpiffWorkflow's timer code use `clock` and `zone` inside the block."""
    token = _clock.set((clock, zone))
    try:
        yield
    finally:
        _clock.reset(token)
