"""Truth-table tests for bpmn/tolerance_decision.dmn (容错认定, domain.md §4; FIRST = first matching row).

Exclusions first (rows 1–4), then full tolerance under 问责条例 art.17 (rows 5–8: 免予问责 for exploratory
mistakes and the unheeded objection to a superior's decision, 不予问责 for an explicit objection to the
collective decision and for force majeure, which a major loss does not exclude), partial tolerance under
art.18 (row 9), otherwise no tolerance (row 10). Every row has its own case, and an exhaustive run over all
1,280 input combinations compares the table with a plain-Python reading of domain.md §4 and proves every row
is reachable (`tolerance_rule_no` names the matching row).
"""

from __future__ import annotations

import itertools

import pytest

from tests.workflows.dmn_harness import DMN_NS, decider, decision_table

DECISION = "tolerance_decision"

INPUT_NAMES = (
    "personal_gain",
    "violated_explicit_ban",
    "integrity_violation",
    "procedure_followed",
    "major_loss",
    "remedied_actively",
    "art17_category",
    "superior_decision_obviously_unlawful",
    "prior_similar_errors_count",
)
EXPLORATORY = "改革创新探索性失误"
OBJECTED = "对错误集体决策明确反对或保留意见"
FORCE_MAJEURE = "不可抗力或难以预见因素"
ART17_SUPERIOR = "提出纠正上级错误决定的意见"
CATEGORIES = (EXPLORATORY, OBJECTED, FORCE_MAJEURE, ART17_SUPERIOR, "不适用")
RESULT = {
    1: "不予容错",
    2: "不予容错",
    3: "不予容错",
    4: "不予容错",
    5: "免予问责",
    6: "不予问责",
    7: "不予问责",
    8: "免予问责",
    9: "从轻减轻问责",
    10: "不予容错",
}
LEVEL = {"不予容错": "不予容错", "免予问责": "全部容错", "不予问责": "全部容错", "从轻减轻问责": "部分容错"}


def reference(gain, ban, integrity, procedure, loss, remedied, category, unlawful, prior) -> int:
    """domain.md §4 DMN read as plain Python (first match wins), plus the repeat-error and art.17(4) rows."""
    if gain:
        return 1
    if ban:
        return 2
    if integrity:
        return 3
    if prior >= 1:
        return 4
    if procedure and not loss and category == EXPLORATORY:
        return 5
    if procedure and category == OBJECTED:
        return 6
    if procedure and category == FORCE_MAJEURE:
        return 7
    if procedure and not loss and category == ART17_SUPERIOR and not unlawful:
        return 8
    if procedure and remedied:
        return 9
    return 10


# One case per row: (row, inputs).
ROW_CASES = [
    (1, (True, False, False, True, False, True, "改革创新探索性失误", False, 0)),
    (2, (False, True, False, True, False, True, "改革创新探索性失误", False, 0)),
    (3, (False, False, True, True, False, True, "改革创新探索性失误", False, 0)),
    (4, (False, False, False, True, False, True, "改革创新探索性失误", False, 2)),
    (5, (False, False, False, True, False, False, EXPLORATORY, False, 0)),
    (6, (False, False, False, True, False, True, OBJECTED, False, 0)),
    (6, (False, False, False, True, True, False, OBJECTED, False, 0)),
    (7, (False, False, False, True, False, False, FORCE_MAJEURE, False, 0)),
    (7, (False, False, False, True, True, False, FORCE_MAJEURE, False, 0)),
    (8, (False, False, False, True, False, False, ART17_SUPERIOR, False, 0)),
    (9, (False, False, False, True, True, True, EXPLORATORY, False, 0)),
    (9, (False, False, False, True, False, True, ART17_SUPERIOR, True, 0)),
    (10, (False, False, False, False, False, True, EXPLORATORY, False, 0)),
    (10, (False, False, False, True, True, False, "不适用", False, 0)),
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
    assert outputs == ["tolerance_result", "tolerance_level", "tolerance_rule", "tolerance_rule_no"]
    assert len(t.findall("dmn:rule", DMN_NS)) == 10


@pytest.mark.parametrize(
    ("row", "inputs"), ROW_CASES, ids=[f"row{r}-{i}" for i, (r, _) in enumerate(ROW_CASES)]
)
def test_each_row(decide, row, inputs):
    assert reference(*inputs) == row
    data = decide(inputs)
    assert data["tolerance_rule_no"] == row
    assert data["tolerance_result"] == RESULT[row]
    assert data["tolerance_level"] == LEVEL[RESULT[row]]
    assert data["tolerance_rule"]


def test_exhaustive_truth_table(decide):
    rows_hit = set()
    booleans = [(True, False)] * 6
    combos = list(itertools.product(*booleans, CATEGORIES, (True, False), (0, 1)))
    assert len(combos) == 1280
    for inputs in combos:
        data = decide(inputs)
        row = reference(*inputs)
        assert (data["tolerance_rule_no"], data["tolerance_result"]) == (row, RESULT[row]), inputs
        rows_hit.add(row)
    assert rows_hit == set(range(1, 11))


@pytest.mark.parametrize(
    ("who", "inputs", "expected"),
    [
        # domain.md §10 P3 sample cases
        ("周虚拟", (False, False, False, True, False, True, "改革创新探索性失误", False, 0), "免予问责"),
        ("吴假设", (False, False, False, True, False, False, "不可抗力或难以预见因素", False, 0), "不予问责"),
        ("郑占位", (False, True, False, False, False, False, "不适用", False, 0), "不予容错"),
    ],
)
def test_sample_cases(decide, who, inputs, expected):
    assert decide(inputs)["tolerance_result"] == expected, who


@pytest.mark.parametrize("category", [OBJECTED, FORCE_MAJEURE])
def test_a_major_loss_does_not_refuse_an_objection_or_force_majeure(decide, category):
    """Correction 1: 问责条例 art.17(2)(3) do not depend on the size of the loss (the old row 5 refused them)."""
    data = decide((False, False, False, True, True, False, category, False, 0))
    assert (data["tolerance_result"], data["tolerance_level"]) == ("不予问责", "全部容错")


def test_waived_and_not_pursued_are_distinct_results(decide):
    """Correction 2: 免予问责 (responsibility waived) and 不予问责 (no responsibility) are different outcomes."""
    waived = decide((False, False, False, True, False, False, EXPLORATORY, False, 0))["tolerance_result"]
    declined = decide((False, False, False, True, False, False, OBJECTED, False, 0))["tolerance_result"]
    assert (waived, declined) == ("免予问责", "不予问责")
