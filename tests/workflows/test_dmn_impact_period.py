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
    ("免职", 24),
    ("降职", 24),
    ("引咎辞职", 24),
    ("责令辞职", 24),
    ("党内严重警告", 18),
    ("政务记大过", 18),
    ("党内警告", 12),
    ("政务记过", 12),
    ("调整（调离）职务或岗位", 12),
    ("政务警告", 6),
    ("诫勉", 6),
]


@pytest.fixture(scope="module")
def decide():
    decide_with = decider(DECISION)

    def run(measures: list[str]) -> tuple[str, int]:
        data = decide_with({"sanctions": measures})
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
    assert decide(["通报批评", "开除公职"]) == ("无", 0)


@pytest.mark.parametrize(("alias", "expected"), [
    ("警告", ("党内警告", 12)), ("严重警告", ("党内严重警告", 18)), ("留党察看", ("留党察看（一年）", 36)),
    ("记过", ("政务记过", 12)), ("记大过", ("政务记大过", 18)), ("撤职", ("政务撤职", 24)),
    ("降级", ("政务降级", 24)), ("调离岗位", ("调整（调离）职务或岗位", 12)),
])
def test_common_short_names_are_read_as_the_sanction(decide, alias, expected):
    assert decide([alias]) == expected


def test_organisational_measures_have_an_impact_period(decide):
    """Correction 3: the old table gave 免职/降职 no 影响期 while revisit_due gave them 24 months."""
    assert decide(["免职"]) == ("免职", 24) and decide(["降职"]) == ("降职", 24)


@pytest.mark.parametrize(
    ("measures", "expected"),
    [
        (["党内警告", "调整（调离）职务或岗位"], ("党内警告", 12)),
        (["免职", "党内警告"], ("免职", 24)),
        (["党内警告", "政务记大过"], ("政务记大过", 18)),
        (["留党察看（一年）", "政务撤职"], ("留党察看（一年）", 36)),
        (["开除党籍", "开除公职"], ("开除党籍", 60)),
        (["诫勉", "政务警告"], ("政务警告", 6)),
    ],
)
def test_most_severe_first(decide, measures, expected):
    assert decide(measures) == expected
