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


def measure_level(svc, actor: int, history: int, completions: int) -> dict:
    """Median completion time at `history` rounds, state size, and the engine phase split."""
    from service.cases.actions import complete_task, start_case

    case_id = start_case(svc, actor, common.LOOP_KEY, f"历史 {history} 轮", {})
    common.fast_forward(svc, actor, case_id, history)
    size = common.state_bytes(svc, case_id)
    timer = PhaseTimer(svc.engine)
    samples, phases = [], defaultdict(list)
    try:
        for i in range(completions):
            task_id = common.ready_task(svc, case_id)
            timer.reset()
            start = time.perf_counter()
            complete_task(svc, actor, task_id, common.loop_data(history + i + 1))
            samples.append(time.perf_counter() - start)
            for name in ENGINE_PHASES:
                phases[name].append(timer.totals.get(name, 0.0))
    finally:
        timer.remove()
    split = {name: common.median_ms(values) for name, values in phases.items()}
    median = common.median_ms(samples)
    split["rest (SQL, JSON column, checks, audit)"] = round(median - sum(split.values()), 3)
    return {"history": history, "completions": completions, "median_ms": median,
            "min_ms": common.ms(min(samples)), "state_bytes": size, "split_ms": split}


def run(quick: bool = False, kind: str = "sqlite") -> dict:
    """Measure every level on a fresh database; return results.json entries and a printed table."""
    levels = (2, 4, 8) if quick else (10, 100, 1000)
    counts = {levels[0]: 3 if quick else 10, levels[1]: 3 if quick else 10, levels[2]: 2 if quick else 5}
    with common.database(kind) as url:
        svc = common.services(url)
        ids = common.seed(svc)
        rows = [measure_level(svc, ids["handler"], h, counts[h]) for h in levels]
        svc.db.dispose()
    low, high = rows[0], rows[-1]
    ratio = round(high["median_ms"] / low["median_ms"], 2)
    result = {
        # canonical names; with --quick the levels are tiny (recorded under "growth")
        "growth_ratio_1000_vs_10": ratio,
        "state_bytes_at_1000": high["state_bytes"],
        "state_bytes_at_10": low["state_bytes"],
        "growth": {"database": kind, "levels": rows},
    }
    phases = list(rows[0]["split_ms"])
    print(common.table(
        f"Growth: one completion through complete_task ({kind}); ratio {levels[2]} vs {levels[0]} = {ratio}×",
        ["history", "median ms", "min ms", "state KB", *phases],
        [[r["history"], r["median_ms"], r["min_ms"], round(r["state_bytes"] / 1024, 1),
          *(r["split_ms"][p] for p in phases)] for r in rows]))
    return result

