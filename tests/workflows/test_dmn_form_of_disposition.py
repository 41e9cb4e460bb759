"""Truth-table tests for bpmn/form_of_disposition.dmn (domain.md §3, COLLECT + "highest form wins").

The table runs through the real engine (sandbox + Qingfeng DMN engine) in a one-task process. Every row
(one measure code each, plus the prosecution row) has its own case; the reference is the measure → form
mapping of domain.md §3 (CCDI 统计指标体系 试行 [S16]). The process takes the maximum of the collected
forms; that rule is checked on mixed measure sets, and every enum value of the proposal form must have
exactly one row.
"""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.workflows.dmn_harness import BPMN_DIR, DMN_NS, decider

DECISION = "form_of_disposition"

FORM1 = [
    "谈话函询了结",
    "面对面初核了结",
    "谈话提醒",
    "警示谈话",
    "批评教育",
    "责令纠正（停止）违纪",
    "责成退出违纪所得",
    "限期整改",
    "责令检查",
    "民主生活会批评帮助",
    "责令公开道歉（检讨）",
    "通报批评",
    "诫勉",
    "其他教育措施",
]
FORM2 = {
    "党内警告": "党纪轻处分",
    "党内严重警告": "党纪轻处分",
    "政务警告": "政务轻处分",
    "政务记过": "政务轻处分",
    "政务记大过": "政务轻处分",
    "政务降级": "政务轻处分",
    **{
        m: "组织调整"
        for m in [
            "取消荣誉称号",
            "撤销政协委员资格",
            "终止（罢免）人大代表资格",
            "取消预备党员资格",
            "取消当选资格",
            "终止党代表资格",
            "停职检查",
            "调整（调离）职务或岗位",
            "免职",
            "引咎辞职",
            "责令辞职",
            "改任非领导职务",
            "提前退休",
            "降低退休待遇",
            "其他组织调整",
        ]
    },
}
FORM3 = {
    "撤销党内职务": "党纪重处分",
    "留党察看（一年）": "党纪重处分",
    "留党察看（二年）": "党纪重处分",
    "开除党籍": "党纪重处分",
    "政务撤职": "政务重处分",
    "开除公职": "政务重处分",
    "降职": "重大职务调整",
}
REFERENCE = {
    **{m: (1, "教育提醒") for m in FORM1},
    **{m: (2, k) for m, k in FORM2.items()},
    **{m: (3, k) for m, k in FORM3.items()},
}


@pytest.fixture(scope="module")
def decide():
    decide_with = decider(DECISION)

    def run(measures: list[str], prosecution: bool = False) -> tuple[list[int], list[str]]:
        # The process resets both lists before the call (COLLECT results are merged into task data).
        data = decide_with(
            {
                "measures": measures,
                "transferred_for_prosecution": prosecution,
                "measure_forms": [],
                "measure_kinds": [],
            },
        )
        return data["measure_forms"], data["measure_kinds"]

    return run


def highest(forms: list[int]) -> int:
    """The process script: disposition_form = max(measure_forms + [1])."""
    return max(forms + [1])


def table():
    root = etree.parse(str(BPMN_DIR / f"{DECISION}.dmn")).getroot()
    decisions = root.findall("dmn:decision", DMN_NS)
    assert [d.get("id") for d in decisions] == [DECISION]
    return decisions[0].find("dmn:decisionTable", DMN_NS)


def test_table_shape():
    t = table()
    assert t.get("hitPolicy") == "COLLECT"
    inputs = [i.find("dmn:inputExpression/dmn:text", DMN_NS).text for i in t.findall("dmn:input", DMN_NS)]
    assert inputs == ["measures", "transferred_for_prosecution"]
    assert [o.get("name") for o in t.findall("dmn:output", DMN_NS)] == ["measure_forms", "measure_kinds"]
    # 14 + 21 + 7 measure rows (domain.md §3: 14 / 21 / 12 indicators, form 3 text cut off) + prosecution row
    assert len(t.findall("dmn:rule", DMN_NS)) == len(REFERENCE) + 1 == 43


def test_form_enum_matches_rows():
    schema = json.loads((BPMN_DIR / "forms/four_forms_disposition/propose_measures.json").read_text("utf-8"))
    assert sorted(schema["properties"]["measures"]["items"]["enum"]) == sorted(REFERENCE)


@pytest.mark.parametrize("measure", sorted(REFERENCE))
def test_each_measure_row(decide, measure):
    forms, kinds = decide([measure])
    assert (forms, kinds) == ([REFERENCE[measure][0]], [REFERENCE[measure][1]])


def test_prosecution_row_is_form_4(decide):
    forms, kinds = decide(["开除党籍", "开除公职"], prosecution=True)
    assert highest(forms) == 4
    assert "移送司法" in kinds


def test_no_rows_for_an_unknown_measure(decide):
    assert decide(["不存在的措施"]) == ([], [])


@pytest.mark.parametrize(
    ("measures", "expected"),
    [
        (["诫勉"], 1),
        (["诫勉", "党内警告"], 2),  # highest form wins
        (["党内警告", "调整（调离）职务或岗位"], 2),  # LA-2025-007
        (["通报批评", "免职", "留党察看（一年）"], 3),
        (["诫勉", "降职"], 3),
    ],
)
def test_highest_form_wins(decide, measures, expected):
    forms, _ = decide(measures)
    assert highest(forms) == expected
