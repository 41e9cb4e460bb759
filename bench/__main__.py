"""`python -m bench [--quick] [--only growth,naive,e2e,lists,memory,stats] [--out PATH]`: run the benchmarks,
print their tables and write bench/results.json (see bench/README.md for what each figure means)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import common

ALL = ("growth", "naive", "e2e", "lists", "memory", "stats", "documents")
GOALS = {  # key: (comparison, target)
    "growth_ratio_1000_vs_10": ("<=", 1.5),
    "state_bytes_at_1000": ("<=", 50 * 1024),
    "speedup_vs_naive_at_300": (">=", 10),
    "e2e_fraction_of_http_floor_sqlite_1client": (">=", 0.5),
    "pg_scaling_4_vs_1": (">=", 1.6),
    "pg_two_services_vs_one": (">=", 0.9),
    "list_ratio_vs_sql": ("<=", 2),
    "list_p95_ms": ("<", 100),
    "stats_p95_ms_pg_1m": ("<=", 300),
    "stats_ratio_vs_sql": ("<=", 2),
    "stats_p95_ms_sqlite_100k": ("<=", 1000),
    "document_render_median_ms": ("<=", 300),
    "case_file_seconds_100_steps_20_attachments": ("<=", 5),
}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def goals(results: dict) -> dict:
    out = {}
    for key, (op, target) in GOALS.items():
        if key in results:
            value = results[key]
            out[key] = {"value": value, "goal": f"{op} {target}",
                        "met": value <= target if op == "<=" else value >= target if op == ">=" else value < target}
    return out


def run(selected: tuple[str, ...], quick: bool, pg: bool) -> dict:
    from bench import documents, e2e, growth, lists, naive, stats

    results: dict = {"quick": quick, "machine": machine(), "started_at": datetime.now(UTC).isoformat(),
                     "seconds": {}}
    steps = {
        "growth": lambda: growth.run(quick=quick),
        "naive": lambda: naive.run(quick=quick),
        "e2e": lambda: e2e.run(quick=quick, kinds=("sqlite", "postgresql") if pg else ("sqlite",)),
        "lists": lambda: lists.run(quick=quick, kind="postgresql" if pg else "sqlite"),
        "stats": lambda: stats.run(quick=quick, kinds=("postgresql", "sqlite") if pg else ("sqlite",)),
        "documents": lambda: documents.run(quick=quick),
    }
    if "memory" in selected and "e2e" not in selected:
        selected = (*selected, "e2e")  # memory is sampled during the end-to-end run
    for name in ("growth", "naive", "e2e", "lists", "stats", "documents"):
        if name in selected:
            start = time.perf_counter()
            print(f"== {name} ==", flush=True)
            results.update(steps[name]())
            results["seconds"][name] = round(time.perf_counter() - start, 1)
            print(flush=True)
    results["goals"] = goals(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test)")
    parser.add_argument("--only", default=",".join(ALL), help="comma-separated: " + ",".join(ALL))
    parser.add_argument("--out", default=str(common.HERE / "results.json"))
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL even if it answers")
    args = parser.parse_args(argv)
    selected = tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = set(selected) - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    pg = not args.no_pg and common.pg_available()
    if not pg:
        print("PostgreSQL not reachable (QINGFENG_BENCH_PG_URL): PostgreSQL parts skipped, lists on SQLite",
              file=sys.stderr)
    start = time.perf_counter()
    results = run(selected, args.quick, pg)
    results["seconds"]["total"] = round(time.perf_counter() - start, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(common.table("Goals", ["figure", "value", "goal", "met"],
                       [[k, g["value"], g["goal"], "yes" if g["met"] else "NO"] for k, g in results["goals"].items()]))
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {args.out} in {results['seconds']['total']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
