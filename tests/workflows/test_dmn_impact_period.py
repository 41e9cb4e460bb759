"""Truth-table tests for bpmn/impact_period.dmn (影响期, domain.md §3 [S18]; FIRST = first matching row).

Rows are ordered from the longest impact period down, so the first match is the most severe sanction of a
measure set. Each row has its own case; mixed sets check the ordering; measures without an impact period fall
through to the last row (0 months).
"""

from __future__ import annotations

import pytest

from tests.workflows.dmn_harness import DMN_NS, decider, decision_table

DECISION = "impact_period"

# domain.md §3: 警告 1 y, 严重警告 1.5 y, 撤销党内职务 2 y, 留党察看 1/2 y (+2 y restriction), 开除党籍 5 y;
# ⚠️GK 政务处分 警告 6, 记过 12, 记大过 18, 降级/撤职 24 months; 诫勉 6 months (⚠️GK).
ROWS = [
    ("开除党籍", 60),
    ("留党察看（二年）", 48),
    ("留党察看（一年）", 36),
    ("撤销党内职务", 24),
    ("政务撤职", 24),
    ("政务降级", 24),
    ("党内严重警告", 18),
    ("政务记大过", 18),
    ("党内警告", 12),
    ("政务记过", 12),
    ("政务警告", 6),
    ("诫勉", 6),
]


@pytest.fixture(scope="module")
def decide():
    decide_with = decider(DECISION)

    def run(measures: list[str]) -> tuple[str, int]:
        data = decide_with({"measures": measures})
        return data["sanction_type"], data["impact_period_months"]

    return run


def test_table_shape():
    t = decision_table(DECISION)
    assert t.get("hitPolicy") == "FIRST"
    assert [o.get("name") for o in t.findall("dmn:output", DMN_NS)] == [
        "sanction_type",
        "impact_period_months",
    ]
    assert len(t.findall("dmn:rule", DMN_NS)) == len(ROWS) + 1


def test_rows_are_ordered_longest_first():
    months = [m for _, m in ROWS]
    assert months == sorted(months, reverse=True)


@pytest.mark.parametrize(("sanction", "months"), ROWS, ids=[s for s, _ in ROWS])
def test_each_row(decide, sanction, months):
    assert decide([sanction]) == (sanction, months)


def test_last_row_no_impact_period(decide):
    assert decide(["通报批评", "调整（调离）职务或岗位"]) == ("无", 0)


@pytest.mark.parametrize(
    ("measures", "expected"),
    [
        (["党内警告", "调整（调离）职务或岗位"], ("党内警告", 12)),
        (["党内警告", "政务记大过"], ("政务记大过", 18)),
        (["留党察看（一年）", "政务撤职"], ("留党察看（一年）", 36)),
        (["开除党籍", "开除公职"], ("开除党籍", 60)),
        (["诫勉", "政务警告"], ("政务警告", 6)),
    ],
)
def test_most_severe_first(decide, measures, expected):
    assert decide(measures) == expected
