"""Truth-table tests for bpmn/clearance_eligibility.dmn (澄清条件, domain.md §5; FIRST = first matching row).

Each of the six rows of domain.md §5 has its own case, and an exhaustive run over all 64 input combinations
compares the table with a plain-Python reading of domain.md and proves every row is reachable
(`eligibility_rule_no` names the matching row).
"""

from __future__ import annotations

import itertools

import pytest

from tests.workflows.dmn_harness import DMN_NS, decider, decision_table

DECISION = "clearance_eligibility"

INPUT_NAMES = ("finding", "effect_on_cadre", "repeated_after_conclusion", "cadre_consents")
FINDINGS = ("属实", "部分属实", "未查实但不能排除", "不实")
EFFECTS = ("无", "影响选拔任用、换届、交流或评先", "人身、财产或正常生活受到损害", "其他需要澄清的情形")
DECISION_BY_ROW = {1: "不予澄清", 2: "不予澄清", 3: "不予澄清", 4: "澄清", 5: "澄清", 6: "不予澄清"}


def reference(finding, effect, repeated, consents) -> int:
    """domain.md §5 `clearance_eligibility` read as plain Python, first match wins."""
    if finding in ("属实", "部分属实"):
        return 1
    if finding == "未查实但不能排除":
        return 2
    if effect == "无" and not repeated:
        return 3
    if effect != "无" and consents:
        return 4
    if repeated and consents:
        return 5
    return 6


ROW_CASES = [
    (1, ("属实", "影响选拔任用、换届、交流或评先", True, True)),
    (1, ("部分属实", "无", False, True)),
    (2, ("未查实但不能排除", "人身、财产或正常生活受到损害", True, True)),
    (3, ("不实", "无", False, True)),
    (3, ("不实", "无", False, False)),
    (4, ("不实", "影响选拔任用、换届、交流或评先", False, True)),
    (4, ("不实", "其他需要澄清的情形", True, True)),
    (5, ("不实", "无", True, True)),
    (6, ("不实", "人身、财产或正常生活受到损害", False, False)),
    (6, ("不实", "无", True, False)),
]


@pytest.fixture(scope="module")
def decide():
    return decider(DECISION, INPUT_NAMES)


def test_table_shape():
    t = decision_table(DECISION)
    assert t.get("hitPolicy") == "FIRST"
    inputs = [i.find("dmn:inputExpression/dmn:text", DMN_NS).text for i in t.findall("dmn:input", DMN_NS)]
    assert tuple(inputs) == INPUT_NAMES
    outputs = [o.get("name") for o in t.findall("dmn:output", DMN_NS)]
    assert outputs == ["clearance_decision", "clearance_reason", "eligibility_rule_no"]
    assert len(t.findall("dmn:rule", DMN_NS)) == 6


@pytest.mark.parametrize(
    ("row", "inputs"), ROW_CASES, ids=[f"row{r}-{i}" for i, (r, _) in enumerate(ROW_CASES)]
)
def test_each_row(decide, row, inputs):
    assert reference(*inputs) == row
    data = decide(inputs)
    assert data["eligibility_rule_no"] == row
    assert data["clearance_decision"] == DECISION_BY_ROW[row]
    assert data["clearance_reason"]


def test_exhaustive_truth_table(decide):
    rows_hit = set()
    combos = list(itertools.product(FINDINGS, EFFECTS, (True, False), (True, False)))
    assert len(combos) == 64
    for inputs in combos:
        data = decide(inputs)
        row = reference(*inputs)
        assert (data["eligibility_rule_no"], data["clearance_decision"]) == (row, DECISION_BY_ROW[row]), (
            inputs
        )
        rows_hit.add(row)
    assert rows_hit == set(range(1, 7))
