"""`python -m bench --quick`: every benchmark runs with tiny sizes and writes every figure."""

from __future__ import annotations

import json
import numbers

import pytest

from tests.conftest import database_url

FIGURES = ("growth_ratio_1000_vs_10", "state_bytes_at_1000", "speedup_vs_naive_at_300",
           "e2e_fraction_of_http_floor_sqlite_1client", "e2e_fraction_of_raw_floor_sqlite_1client",
           "list_ratio_vs_sql", "list_p95_ms", "server_peak_rss_mb", "document_render_median_ms",
           "case_file_seconds_100_steps_20_attachments")


@pytest.fixture
def postgres() -> bool:
    return database_url().startswith("postgresql")


def test_quick_bench_runs_every_benchmark_and_writes_every_figure(tmp_path, postgres, capsys):
    from bench.__main__ import main

    out = tmp_path / "results.json"
    assert main(["--quick", "--out", str(out), *([] if postgres else ["--no-pg"])]) == 0
    results = json.loads(out.read_text())
    expected = FIGURES + (("pg_scaling_4_vs_1", "pg_two_services_vs_one") if postgres else ())
    for key in expected:
        assert isinstance(results[key], numbers.Number) and results[key] > 0, key
    for run in results["e2e"].values():
        for series in ("service", "http_floor", "raw_floor"):
            assert all(r["errors"] == 0 and r["requests"] > 0 for r in run[series]), (series, run[series])
    assert set(results["goals"]) >= {"growth_ratio_1000_vs_10", "list_p95_ms"}
    printed = capsys.readouterr().out
    assert "Growth" in printed and "naive" in printed and "End to end" in printed and "Lists" in printed


def test_only_selects_benchmarks_and_rejects_unknown_names(tmp_path):
    from bench.__main__ import main

    with pytest.raises(SystemExit):
        main(["--quick", "--only", "growth,nonsense", "--out", str(tmp_path / "r.json")])


def test_quick_stats_bench_writes_its_figures(tmp_path, postgres, capsys):
    from bench.__main__ import main

    out = tmp_path / "results.json"
    assert main(["--quick", "--only", "stats", "--out", str(out), *([] if postgres else ["--no-pg"])]) == 0
    results = json.loads(out.read_text())
    assert results["stats_p95_ms_sqlite_2000"] > 0
    if postgres:
        assert results["stats_p95_ms_pg_2000"] > 0 and results["stats_ratio_vs_sql"] > 0
    assert len(results["stats"]["sqlite"]["rows"]) == 7
    assert "Statistics (sqlite" in capsys.readouterr().out
