"""Truth-table tests for bpmn/false_report_type.dmn (诬告 vs 错告, domain.md §5 4b [S32]; FIRST).

fabricated_or_forged AND intent_to_harm → 诬告; anything else → 错告. All four combinations are checked and
both rows must be hit. (The good-faith guard is a gateway in false_report_clearance, covered by scenarios.)
"""

from __future__ import annotations

import itertools

import pytest

from tests.workflows.dmn_harness import DMN_NS, decider, decision_table

DECISION = "false_report_type"


@pytest.fixture(scope="module")
def decide():
    decide_with = decider(DECISION)

    def run(fabricated: bool, intent: bool) -> dict:
        return decide_with({"fabricated_or_forged": fabricated, "intent_to_harm": intent})

    return run


def test_table_shape():
    t = decision_table(DECISION)
    assert t.get("hitPolicy") == "FIRST"
    assert [o.get("name") for o in t.findall("dmn:output", DMN_NS)] == ["report_type", "report_type_rule_no"]
    assert len(t.findall("dmn:rule", DMN_NS)) == 2


@pytest.mark.parametrize(
    ("fabricated", "intent", "row", "expected"),
    [
        (True, True, 1, "诬告"),
        (True, False, 2, "错告"),
        (False, True, 2, "错告"),
        (False, False, 2, "错告"),
    ],
)
def test_each_combination(decide, fabricated, intent, row, expected):
    data = decide(fabricated, intent)
    assert (data["report_type_rule_no"], data["report_type"]) == (row, expected)


def test_every_row_reachable(decide):
    rows = {decide(f, i)["report_type_rule_no"] for f, i in itertools.product((True, False), repeat=2)}
    assert rows == {1, 2}
