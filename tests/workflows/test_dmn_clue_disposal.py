"""Truth-table tests for bpmn/clue_disposal.dmn (domain.md §2, hit policy FIRST).

The table is run through the real engine (sandbox + Qingfeng DMN engine) inside a one-task process, so
the test sees exactly what `clue_handling` sees. Every row has its own case, and an exhaustive check over
all 48 input combinations compares the table with a plain-Python reading of domain.md §2 and proves that
every row is reachable (the `suggestion_rule` output names the matching row).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree

from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

BPMN_DIR = Path(__file__).resolve().parents[2] / 'bpmn'
DMN_NS = {'dmn': 'https://www.omg.org/spec/DMN/20191111/MODEL/'}

HARNESS = b'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs_dmn_test" targetNamespace="http://qingfeng.test/bpmn">
  <bpmn:process id="dmn_clue_disposal_test" name="clue_disposal test" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:businessRuleTask id="decide" name="decide">
      <bpmn:documentation>test harness</bpmn:documentation>
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>clue_disposal</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
'''

VERIFIABLE = ('可查', '部分可查', '无法查证')
SEVERITY = ('苗头性倾向性一般性问题', '涉嫌违纪违法犯罪')
INPUT_NAMES = ('in_jurisdiction', 'has_substance', 'verifiable', 'severity', 'ready_to_verify')

# One case per row: (row, inputs, expected disposal). Inputs follow INPUT_NAMES.
ROW_CASES = [
    (1, (False, True, '可查', '涉嫌违纪违法犯罪', True), '转送/退回'),
    (2, (True, False, '可查', '涉嫌违纪违法犯罪', True), '留存备查'),
    (3, (True, True, '无法查证', '涉嫌违纪违法犯罪', True), '予以了结'),
    (4, (True, True, '可查', '涉嫌违纪违法犯罪', False), '暂存待查'),
    (5, (True, True, '可查', '涉嫌违纪违法犯罪', True), '初步核实'),
    (6, (True, True, '可查', '苗头性倾向性一般性问题', True), '谈话函询'),
    (6, (True, True, '部分可查', '苗头性倾向性一般性问题', False), '谈话函询'),
    (7, (True, True, '部分可查', '涉嫌违纪违法犯罪', False), '暂存待查'),
    (8, (True, True, '部分可查', '涉嫌违纪违法犯罪', True), '初步核实'),
]


def reference(in_jurisdiction, has_substance, verifiable, severity, ready_to_verify) -> tuple[int, str]:
    """domain.md §2 read as plain Python, first match wins; rows 7-8 are the documented local additions."""
    if not in_jurisdiction:
        return 1, '转送/退回'
    if not has_substance:
        return 2, '留存备查'
    if verifiable == '无法查证':
        return 3, '予以了结'
    if verifiable == '可查' and severity == '涉嫌违纪违法犯罪':
        return (5, '初步核实') if ready_to_verify else (4, '暂存待查')
    if severity == '苗头性倾向性一般性问题':
        return 6, '谈话函询'
    return (8, '初步核实') if ready_to_verify else (7, '暂存待查')


@pytest.fixture(scope='module')
def decide():
    files = {'dmn_clue_disposal_test.bpmn': HARNESS,
             'clue_disposal.dmn': (BPMN_DIR / 'clue_disposal.dmn').read_bytes()}
    bundle = load_bundle(files)
    engine = WorkflowEngine()

    def run(inputs: tuple) -> dict:
        wf = engine.start(bundle, dict(zip(INPUT_NAMES, inputs, strict=True)))
        assert engine.is_completed(wf)
        return engine.case_data(wf)

    return run


def test_table_shape():
    root = etree.parse(str(BPMN_DIR / 'clue_disposal.dmn')).getroot()
    decisions = root.findall('dmn:decision', DMN_NS)
    assert [d.get('id') for d in decisions] == ['clue_disposal']
    table = decisions[0].find('dmn:decisionTable', DMN_NS)
    assert table.get('hitPolicy') == 'FIRST'
    inputs = [i.find('dmn:inputExpression/dmn:text', DMN_NS).text for i in table.findall('dmn:input', DMN_NS)]
    assert tuple(inputs) == INPUT_NAMES
    outputs = [o.get('name') for o in table.findall('dmn:output', DMN_NS)]
    assert outputs == ['suggested_disposal', 'suggestion_note', 'suggestion_rule']
    assert len(table.findall('dmn:rule', DMN_NS)) == 8


@pytest.mark.parametrize(('row', 'inputs', 'expected'), ROW_CASES,
                         ids=[f'row{r}-{e}-{i[2]}' for r, i, e in ROW_CASES])
def test_each_row(decide, row, inputs, expected):
    data = decide(inputs)
    assert data['suggested_disposal'] == expected
    assert data['suggestion_rule'] == row
    assert data['suggestion_note']


def test_exhaustive_truth_table(decide):
    rows_hit = set()
    combos = list(itertools.product((True, False), (True, False), VERIFIABLE, SEVERITY, (True, False)))
    assert len(combos) == 48
    for inputs in combos:
        data = decide(inputs)
        row, disposal = reference(*inputs)
        assert (data['suggestion_rule'], data['suggested_disposal']) == (row, disposal), inputs
        rows_hit.add(row)
    assert rows_hit == set(range(1, 9))
