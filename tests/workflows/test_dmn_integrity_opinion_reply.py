"""Truth-table tests for bpmn/integrity_opinion_reply.dmn (domain.md §7, [S39]).

The decision id is `integrity_opinion_reply`, not `integrity_opinion`, so it cannot clash with the
process id `integrity_opinion`. The table runs through the real engine inside a one-task process. Every
row has a case (the matched row number is read back from the decision engine), and an exhaustive check
over all 64 combinations of the six record facts compares the table with a plain-Python reading of
domain.md §7: 影响期 first, then pending investigation / 初核 / specific clue, else no problem found.
"""

from __future__ import annotations

import itertools

import pytest
from lxml import etree

from tests.workflows.dmn_harness import BPMN_DIR, DMN_NS, harness_bpmn
from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

DECISION = 'integrity_opinion_reply'

HARNESS = harness_bpmn(DECISION)

INPUT_NAMES = ('in_impact_period', 'recent_admonishment', 'under_investigation', 'verification_in_progress',
               'open_specific_clue', 'closed_untrue_or_cleared')
NOT_SUITABLE = '不宜提拔任用'
DEFER = '建议暂缓，待查清后答复'
NO_PROBLEM = '暂未发现影响提拔任用的问题'

# (row, inputs in INPUT_NAMES order, reply_type)
ROW_CASES = [
    (1, (True, False, False, False, False, False), NOT_SUITABLE),
    (1, (True, True, True, True, True, True), NOT_SUITABLE),           # 影响期 wins over everything
    (2, (False, True, False, False, False, False), NOT_SUITABLE),      # 诫勉 within the set months (issue 15)
    (2, (False, True, True, True, True, True), NOT_SUITABLE),
    (3, (False, False, True, False, False, False), DEFER),
    (3, (False, False, True, True, True, True), DEFER),
    (4, (False, False, False, True, False, False), DEFER),
    (4, (False, False, False, True, True, True), DEFER),
    (5, (False, False, False, False, True, False), DEFER),
    (5, (False, False, False, False, True, True), DEFER),              # an open clue outweighs a cleared one
    (6, (False, False, False, False, False, True), NO_PROBLEM),
    (7, (False, False, False, False, False, False), NO_PROBLEM),
]
ROWS = 7


def reference(in_impact, admonished, investigation, verification, open_clue, cleared) -> tuple[int, str]:
    """domain.md §7 read as plain Python, first match wins; a recent 诫勉 bars promotion (issue 15)."""
    if in_impact:
        return 1, NOT_SUITABLE
    if admonished:
        return 2, NOT_SUITABLE
    if investigation:
        return 3, DEFER
    if verification:
        return 4, DEFER
    if open_clue:
        return 5, DEFER
    return (6, NO_PROBLEM) if cleared else (7, NO_PROBLEM)


@pytest.fixture(scope='module')
def decide():
    bundle = load_bundle({f'dmn_{DECISION}_test.bpmn': HARNESS,
                          f'{DECISION}.dmn': (BPMN_DIR / f'{DECISION}.dmn').read_bytes()})
    engine = WorkflowEngine()

    def run(inputs: tuple) -> tuple[dict, list[int]]:
        wf = engine.start(bundle, dict(zip(INPUT_NAMES, inputs, strict=True)))
        assert engine.is_completed(wf)
        task = next(t for t in wf.get_tasks() if t.task_spec.bpmn_id == 'decide')
        matched = [rule.row_number for rule in task.task_spec.dmnEngine.decide(task)][:1]  # FIRST
        return engine.case_data(wf), matched

    return run


def test_table_shape():
    root = etree.parse(str(BPMN_DIR / f'{DECISION}.dmn')).getroot()
    decisions = root.findall('dmn:decision', DMN_NS)
    assert [d.get('id') for d in decisions] == [DECISION]
    table = decisions[0].find('dmn:decisionTable', DMN_NS)
    assert table.get('hitPolicy') == 'FIRST'
    inputs = [i.find('dmn:inputExpression/dmn:text', DMN_NS).text for i in table.findall('dmn:input', DMN_NS)]
    assert tuple(inputs) == INPUT_NAMES
    outputs = [o.get('name') for o in table.findall('dmn:output', DMN_NS)]
    assert outputs == ['reply_type', 'reply_basis']
    assert len(table.findall('dmn:rule', DMN_NS)) == ROWS


def test_every_row_has_a_case():
    assert {row for row, *_ in ROW_CASES} == set(range(1, ROWS + 1))


@pytest.mark.parametrize(('row', 'inputs', 'expected'), ROW_CASES,
                         ids=[f'row{r}-{"".join("TF"[not v] for v in i)}' for r, i, _ in ROW_CASES])
def test_each_row(decide, row, inputs, expected):
    data, matched = decide(inputs)
    assert matched == [row]
    assert data['reply_type'] == expected
    assert data['reply_basis']


def test_exhaustive_truth_table(decide):
    rows_hit = set()
    for inputs in itertools.product((True, False), repeat=len(INPUT_NAMES)):
        data, matched = decide(inputs)
        row, reply = reference(*inputs)
        assert (matched, data['reply_type']) == ([row], reply), inputs
        rows_hit.add(row)
    assert rows_hit == set(range(1, ROWS + 1))


def test_only_three_reply_types():
    root = etree.parse(str(BPMN_DIR / f'{DECISION}.dmn')).getroot()
    first_outputs = {rule.find('dmn:outputEntry/dmn:text', DMN_NS).text.strip('"')
                     for rule in root.iter(f"{{{DMN_NS['dmn']}}}rule")}
    assert first_outputs == {NOT_SUITABLE, DEFER, NO_PROBLEM}
