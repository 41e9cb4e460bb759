"""Truth-table tests for bpmn/impact_period.dmn (影响期, domain.md §3 [S18]; UNIQUE = first matching row).

Rows are ordered from the longest impact period down, so the first match is the most severe sanction of a
measure set. Each row has its own case; mixed sets check the ordering; measures without an impact period fall
through to the last row (0 months).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
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


def harness() -> bytes:
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_{DECISION}_test" targetNamespace="http://qingfeng.test/bpmn">
  <bpmn:process id="dmn_{DECISION}_test" name="{DECISION} test" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:businessRuleTask id="decide" name="decide">
      <bpmn:documentation>test harness</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{DECISION}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
'''.encode()


@pytest.fixture(scope="module")
def decide():
    bundle = load_bundle(
        {
            f"dmn_{DECISION}_test.bpmn": harness(),
            f"{DECISION}.dmn": (BPMN_DIR / f"{DECISION}.dmn").read_bytes(),
        }
    )
    engine = WorkflowEngine()

    def run(measures: list[str]) -> tuple[str, int]:
        wf = engine.start(bundle, {"measures": measures})
        assert engine.is_completed(wf)
        data = engine.case_data(wf)
        return data["sanction_type"], data["impact_period_months"]

    return run


def test_table_shape():
    root = etree.parse(str(BPMN_DIR / f"{DECISION}.dmn")).getroot()
    decisions = root.findall("dmn:decision", DMN_NS)
    assert [d.get("id") for d in decisions] == [DECISION]
    t = decisions[0].find("dmn:decisionTable", DMN_NS)
    assert t.get("hitPolicy") == "UNIQUE"
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
