"""1. Growth: one task completion through the case service at history 10, 100 and 1,000 rounds.

Each level gets its own loop case. Its history is built with `common.fast_forward` (engine in memory,
rows written once), then `measure` completions go through `actions.complete_task`, the real
transaction: load and lock, checks, restore, complete, engine steps, dump, projections, audit, commit.
Engine calls are timed on the side to show where the time goes.
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

    case_id = start_case(svc, actor, common.LOOP_KEY, f"历史 {history} 轮", {})
    common.fast_forward(svc, actor, case_id, history)
    return case_id


def timed_completion(svc, timer: PhaseTimer, actor: int, case_id: int, round_no: int) -> tuple[float, dict]:
    """One `complete_task` on the case: wall seconds and seconds per engine phase."""
    from service.cases.actions import complete_task

    task_id = common.ready_task(svc, case_id)
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


def measure_levels(svc, actor: int, levels: tuple[int, ...], completions: int) -> list[dict]:
    """Interleave the levels (10, 100, 1000, 10, 100, ...) so machine noise hits them alike."""
    cases = {h: prepare_level(svc, actor, h) for h in levels}
    sizes = {h: common.state_bytes(svc, c) for h, c in cases.items()}
    samples: dict[int, list[float]] = {h: [] for h in levels}
    phases: dict[int, list[dict]] = {h: [] for h in levels}
    timer = PhaseTimer(svc.engine)
    try:
        for i in range(completions):
            for h in levels:
                wall, split = timed_completion(svc, timer, actor, cases[h], h + i + 1)
                samples[h].append(wall)
                phases[h].append(split)
    finally:
        timer.remove()
    return [summarize(h, sizes[h], samples[h], phases[h]) for h in levels]


def run(quick: bool = False, kind: str = "sqlite") -> dict:
    """Measure every level on a fresh database; return results.json entries and print a table."""
    levels = (2, 4, 8) if quick else (10, 100, 1000)
    completions = 3 if quick else 25
    with common.database(kind) as url:
        svc = common.services(url)
        ids = common.seed(svc)
        rows = measure_levels(svc, ids["handler"], levels, completions)
        svc.db.dispose()
    low, high = rows[0], rows[-1]
    ratio = round(high["median_ms"] / low["median_ms"], 2)
    engine_ratio = round(high["engine_ms"] / low["engine_ms"], 2) if low["engine_ms"] else 0.0
    result = {
        # canonical names; with --quick the levels are tiny (recorded under "growth")
        "growth_ratio_1000_vs_10": ratio,
        "growth_engine_ratio_1000_vs_10": engine_ratio,
        "state_bytes_at_1000": high["state_bytes"],
        "state_bytes_at_10": low["state_bytes"],
        "growth": {"database": kind, "levels": rows},
    }
    print(common.table(
        f"Growth: one completion through complete_task ({kind}, {completions} per level, interleaved); "
        f"median ratio {levels[2]} vs {levels[0]} = {ratio}×, engine-only ratio = {engine_ratio}×",
        ["history", "median ms", "min ms", "p90 ms", "state bytes", "engine ms", "rest ms", *ENGINE_PHASES],
        [[r["history"], r["median_ms"], r["min_ms"], r["p90_ms"], r["state_bytes"], r["engine_ms"], r["rest_ms"],
          *(r["split_ms"][p] for p in ENGINE_PHASES)] for r in rows]))
    return result
