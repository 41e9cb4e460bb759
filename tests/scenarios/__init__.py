"""Process scenarios as data: every path of every process, driven by the engine-level runner
(tests/workflows/test_process_paths.py) and the service-level runner (tests/service/test_process_paths.py).

A scenario starts a case with `start_data` as a user of `start_role` at `clock` (Asia/Shanghai),
then runs its steps in order. Two keys of `start_data` are not case data: `title` is the case title,
and `settings` are the values the process version's settings document (`bpmn/settings/<key>.json`)
must carry for this scenario; the service runner deploys such a version (as a designer would) before
starting the case, the engine runner seeds the bundle's settings with them. Case data itself can
never set `settings` (the service refuses it with 422). Each module `tests/scenarios/<process_key>.py` defines
`SCENARIOS: dict[str, Scenario]`; `all_scenarios()` collects them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Do:
    """Complete the single ready task with bpmn id `task`, which must belong to `role`."""

    task: str
    role: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """Submit `data` to the single ready task `task`: it must be refused (422 in the service), naming
    exactly `fields`, and the task must stay where it is."""

    task: str
    role: str
    data: dict
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Wait:
    """Move the injected clock to `until` (ISO datetime, +08:00) and fire due timers."""

    until: str


@dataclass(frozen=True)
class Expect:
    """Check the ready human tasks (bpmn ids, any order) at this point."""

    ready: tuple[str, ...]


@dataclass(frozen=True)
class Sanction:
    """A measure an earlier case recorded on a cadre (name + unit) before the scenario starts: `months` of
    影响期 from `effective` (0: none), `status` effective / changed / revoked."""

    name: str
    unit: str
    measure: str
    effective: str
    months: int = 0
    status: str = "effective"


@dataclass(frozen=True)
class PastCase:
    """A case about a cadre (name + unit) that exists before the scenario starts."""

    name: str
    unit: str
    process_key: str
    status: str
    outcome: str | None = None
    clue_no: str = ""
    in_verification: bool = False


@dataclass(frozen=True)
class Scenario:
    process_key: str
    start_role: str
    start_data: dict
    steps: tuple
    outcome: str | None = None  # expected `outcome` when the case ends; None = still open
    links: tuple[str, ...] = ()  # process keys of linked cases the scenario must request
    clock: str = "2026-03-02T09:00:00+08:00"
    measures: tuple[str, ...] = ()  # measures the case records on its cadre when it ends (cadre_measures)
    history: tuple = ()  # Sanction / PastCase rows on cadre records before the start (tests/support/cadre_history.py)

    def start_time(self) -> datetime:
        return datetime.fromisoformat(self.clock)

    @property
    def case_data(self) -> dict:
        """The start data a user submits (without the case title and the version settings)."""
        return {k: v for k, v in self.start_data.items() if k not in ("title", "settings")}

    @property
    def settings(self) -> dict:
        """Settings the scenario's process version must carry (over the shipped document's values)."""
        return dict(self.start_data.get("settings") or {})

    @property
    def title(self) -> str | None:
        return self.start_data.get("title")


def all_scenarios() -> dict[str, Scenario]:
    found: dict[str, Scenario] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, scenario in getattr(module, "SCENARIOS", {}).items():
            found[f"{info.name}:{name}"] = scenario
    return found
