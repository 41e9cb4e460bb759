"""The process diagrams are readable (issue 18 §6): in every laid-out diagram under bpmn/, no flow segment
crosses a box that is not its source or target, no label overlaps a box or another label, and every named
flow, event and gateway has its label placed; the files are exactly what tools.bpmn_layout makes of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.bpmn_layout import check, layout_bytes, parse

BPMN_FILES = sorted((Path(__file__).resolve().parents[2] / "bpmn").glob("*.bpmn"))

CROSSING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="a" name="开始"/><bpmn:task id="b" name="中间"/><bpmn:endEvent id="c" name="结束"/>
    <bpmn:sequenceFlow id="ab" sourceRef="a" targetRef="b"/>
    <bpmn:sequenceFlow id="ac" name="跳过" sourceRef="a" targetRef="c"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="g"><bpmndi:BPMNPlane id="pl" bpmnElement="p">
    <bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="0" y="22" width="36" height="36"/>
      <bpmndi:BPMNLabel><dc:Bounds x="0" y="60" width="30" height="16"/></bpmndi:BPMNLabel></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="b_di" bpmnElement="b"><dc:Bounds x="100" y="0" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="c_di" bpmnElement="c"><dc:Bounds x="300" y="22" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="ab_di" bpmnElement="ab"><di:waypoint x="36" y="40"/><di:waypoint x="100" y="40"/>
    </bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="ac_di" bpmnElement="ac"><di:waypoint x="36" y="40"/><di:waypoint x="300" y="40"/>
      <bpmndi:BPMNLabel><dc:Bounds x="120" y="30" width="30" height="16"/></bpmndi:BPMNLabel></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
""".encode()


def test_check_finds_a_flow_through_a_box_a_label_on_a_box_and_a_label_without_bounds():
    assert check(parse(CROSSING)) == ["c has a name but no label bounds", "flow ac crosses b", "label of ac overlaps b"]


def test_the_layout_tool_clears_what_check_found():
    assert check(parse(layout_bytes(CROSSING))) == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_every_process_diagram_has_no_crossing_flow_and_no_overlapping_label(path):
    assert check(parse(path.read_bytes())) == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.stem)
def test_every_process_file_is_laid_out_by_the_current_tool(path):
    assert layout_bytes(path.read_bytes()) == path.read_bytes(), "run: python -m tools.bpmn_layout bpmn/*.bpmn"
