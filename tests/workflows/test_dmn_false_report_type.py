"""Truth-table tests for bpmn/false_report_type.dmn (诬告 vs 错告, domain.md §5 4b [S32]; UNIQUE).

fabricated_or_forged AND intent_to_harm → 诬告; anything else → 错告. All four combinations are checked and
both rows must be hit. (The good-faith guard is a gateway in false_report_clearance, covered by scenarios.)
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree

from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}
DECISION = "false_report_type"


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

    def run(fabricated: bool, intent: bool) -> dict:
        wf = engine.start(bundle, {"fabricated_or_forged": fabricated, "intent_to_harm": intent})
        assert engine.is_completed(wf)
        return engine.case_data(wf)

    return run


def test_table_shape():
    root = etree.parse(str(BPMN_DIR / f"{DECISION}.dmn")).getroot()
    decisions = root.findall("dmn:decision", DMN_NS)
    assert [d.get("id") for d in decisions] == [DECISION]
    t = decisions[0].find("dmn:decisionTable", DMN_NS)
    assert t.get("hitPolicy") == "UNIQUE"
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
