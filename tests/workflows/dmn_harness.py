"""Run one DMN table of bpmn/ through the real engine (sandbox included) for truth-table tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import etree

from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def harness_bpmn(decision: str) -> bytes:
    """A process that only calls `decision` in a business rule task."""
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_{decision}_test" targetNamespace="http://qingfeng.test/bpmn">
  <bpmn:process id="dmn_{decision}_test" name="{decision} test" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:businessRuleTask id="decide" name="decide">
      <bpmn:documentation>test harness</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
'''.encode()


def decider(decision: str, input_names: tuple[str, ...] | None = None) -> Callable:
    """run(inputs) -> the data after the table ran, for bpmn/<decision>.dmn.

    `inputs` is a dict, or a tuple of values in the order of `input_names` when those are given.
    """
    bundle = load_bundle({f"dmn_{decision}_test.bpmn": harness_bpmn(decision),
                          f"{decision}.dmn": (BPMN_DIR / f"{decision}.dmn").read_bytes()})
    engine = WorkflowEngine()

    def run(inputs) -> dict:
        if input_names is not None:
            inputs = dict(zip(input_names, inputs, strict=True))
        wf = engine.start(bundle, inputs)
        assert engine.is_completed(wf)
        return engine.case_data(wf)

    return run


def decision_table(decision: str):
    """The decisionTable element of bpmn/<decision>.dmn, which must hold exactly that one decision."""
    root = etree.parse(str(BPMN_DIR / f"{decision}.dmn")).getroot()
    decisions = root.findall("dmn:decision", DMN_NS)
    assert [d.get("id") for d in decisions] == [decision]
    return decisions[0].find("dmn:decisionTable", DMN_NS)
