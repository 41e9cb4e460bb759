"""1. Growth: one task completion through the case service at history 10, 100 and 1,000 rounds.

Each level gets loop cases whose history is built with `common.fast_forward` (engine in memory, rows
written once); then the measured completions go through `actions.complete_task`, the real transaction:
load and lock, checks, restore, complete, engine steps, dump, projections, audit, commit. Levels and
modes are interleaved; "cold" restores the state from the database, "warm" finds the workflow in the
service's in-process cache. Engine calls are timed on the side to show where the time goes.
"""

from __future__ import annotations

import time
from collections import defaultdict

from bench import common

ENGINE_PHASES = ("restore", "complete", "dump", "ready_human_tasks", "waiting_timers", "case_data")


class PhaseTimer:
    """Wraps the engine's methods on one instance and adds up their time per phase."""

    def __init__(self, engine):
        self.engine = engine
        self.totals: dict[str, float] = defaultdict(float)
        self.depth = 0
        for name in ENGINE_PHASES:
            setattr(engine, name, self._wrap(name, getattr(engine, name)))

    def _wrap(self, name, func):
        def timed(*args, **kwargs):
            self.depth += 1
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:  # nested calls (case_requests -> case_data) count once
                    self.totals[name] += time.perf_counter() - start
        return timed

    def remove(self):
        for name in ENGINE_PHASES:
            self.engine.__dict__.pop(name, None)

    def reset(self):
        self.totals.clear()


def prepare_level(svc, actor: int, history: int) -> int:
    """A loop case with `history` rounds behind it; returns its id."""
    from service.cases.actions import start_case

    case_id = start_case(svc, actor, common.LOOP_KEY, f"历史 {history} 轮", {}).case_id
    common.fast_forward(svc, actor, case_id, history)
    return case_id


def timed_completion(svc, timer: PhaseTimer, actor: int, case_id: int, round_no: int,
                     cold: bool = True) -> tuple[float, dict]:
    """One `complete_task` on the case: wall seconds and seconds per engine phase.

    cold: drop the case from the service's in-process workflow cache first, so the state is restored
    from the database as it is whenever the request lands on a process that did not save it last.
    """
    from service.cases.actions import complete_task

    task_id = common.ready_task(svc, case_id)
    cache = getattr(svc, "workflows", None)
    if cold and cache is not None:
        cache.take(case_id, -1)
    timer.reset()
    start = time.perf_counter()
    complete_task(svc, actor, task_id, common.loop_data(round_no))
    return time.perf_counter() - start, dict(timer.totals)


def summarize(history: int, size: int, samples: list[float], phases: list[dict]) -> dict:
    split = {name: common.median_ms([p.get(name, 0.0) for p in phases]) for name in ENGINE_PHASES}
    median = common.median_ms(samples)
    engine_total = common.median_ms([sum(p.values()) for p in phases])
    return {"history": history, "completions": len(samples), "median_ms": median, "min_ms": common.ms(min(samples)),
            "p90_ms": common.ms(common.percentile(samples, 0.9)), "engine_ms": engine_total,
            "rest_ms": round(median - engine_total, 3), "state_bytes": size, "split_ms": split}


def measure_levels(svc, actor: int, levels: tuple[int, ...], completions: int) -> dict[str, list[dict]]:
    """Interleave levels and modes (10 cold, 10 warm, 100 cold, ...) so machine noise hits them alike.

    cold: state restored from the database; warm: the workflow the previous completion of the same
    case left in the service's in-process cache (a second case per level, so the modes never mix).
    """
    modes = ("cold", "warm")
    cases = {(h, m): prepare_level(svc, actor, h) for h in levels for m in modes}
    sizes = {h: common.state_bytes(svc, cases[h, "cold"]) for h in levels}
    samples: dict[tuple, list[float]] = {key: [] for key in cases}
    phases: dict[tuple, list[dict]] = {key: [] for key in cases}
    timer = PhaseTimer(svc.engine)
    try:
        for i in range(completions + 1):
            for h in levels:
                for m in modes:
                    wall, split = timed_completion(svc, timer, actor, cases[h, m], h + i + 1, cold=m == "cold")
                    if i:  # the first round only fills the cache of the warm cases
                        samples[h, m].append(wall)
                        phases[h, m].append(split)
    finally:
        timer.remove()
    return {m: [summarize(h, sizes[h], samples[h, m], phases[h, m]) for h in levels] for m in modes}


def run(quick: bool = False, kind: str = "sqlite") -> dict:
    """Measure every level on a fresh database; return results.json entries and print a table."""
    levels = (2, 4, 8) if quick else (10, 100, 1000)
    completions = 2 if quick else 20
    with common.database(kind) as url:
        svc = common.services(url)
        ids = common.seed(svc)
        by_mode = measure_levels(svc, ids["handler"], levels, completions)
        svc.db.dispose()
    ratios = {m: round(rows[-1]["median_ms"] / rows[0]["median_ms"], 2) for m, rows in by_mode.items()}
    cold = by_mode["cold"]
    low, high = cold[0], cold[-1]
    engine_ratio = round(high["engine_ms"] / low["engine_ms"], 2) if low["engine_ms"] else 0.0
    result = {
        # canonical names (cold: state restored from the database); --quick uses tiny levels
        "growth_ratio_1000_vs_10": ratios["cold"],
        "growth_ratio_1000_vs_10_warm": ratios["warm"],
        "growth_engine_ratio_1000_vs_10": engine_ratio,
        "state_bytes_at_1000": high["state_bytes"],
        "state_bytes_at_10": low["state_bytes"],
        "growth": {"database": kind, "levels": by_mode},
    }
    print(common.table(
        f"Growth: one completion through complete_task ({kind}, {completions} per level and mode, interleaved); "
        f"median ratio {levels[2]} vs {levels[0]}: cold {ratios['cold']}×, warm {ratios['warm']}×, "
        f"engine-only (cold) {engine_ratio}×",
        ["mode", "history", "median ms", "min ms", "p90 ms", "state bytes", "engine ms", "rest ms", *ENGINE_PHASES],
        [[m, r["history"], r["median_ms"], r["min_ms"], r["p90_ms"], r["state_bytes"], r["engine_ms"], r["rest_ms"],
          *(r["split_ms"][p] for p in ENGINE_PHASES)] for m, rows in by_mode.items() for r in rows]))
    return result
