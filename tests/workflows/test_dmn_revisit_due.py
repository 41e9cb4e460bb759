"""Truth-table tests for bpmn/revisit_due.dmn (domain.md §6 and the 影响期 facts of §3, [S18]).

The table runs through the real engine (sandbox + Qingfeng DMN engine) inside a one-task process, so the
test sees what `follow_up_visit` sees. Every row has a case; the matched row number is read back from
the decision engine, so a case that silently falls through to another row fails. Hit policy FIRST:
SpiffWorkflow returns the first matching row, and the last three rows are fallbacks.
"""

from __future__ import annotations

import pytest
from lxml import etree

from tests.workflows.dmn_harness import BPMN_DIR, DMN_NS, harness_bpmn
from workflows.engine import WorkflowEngine
from workflows.specs import load_bundle

DECISION = 'revisit_due'

HARNESS = harness_bpmn(DECISION)

W = '处分生效之日至影响期满'
W_PROBATION = '处分生效之日至影响期满；察看期满时另行回访，提出恢复党员权利意见'
W_DEFAULT = '处分生效之日起至默认回访期限届满（未列明类型）'

# (row, sanction_type, is_accountability, form) → (in_scope, visit_window, priority); months come from impact_period
ROW_CASES = [
    (1, '开除党籍', False, 3, (False, '不适用（已开除）', False)),
    (1, '政务开除', True, 3, (False, '不适用（已开除）', False)),
    (2, '党内警告', False, 2, (True, W, True)),
    (2, '警告', False, 2, (True, W, True)),
    (3, '党内严重警告', False, 2, (True, W, True)),
    (4, '撤销党内职务', False, 3, (True, W, True)),
    (5, '留党察看（一年）', False, 3, (True, W_PROBATION, True)),
    (6, '留党察看（二年）', False, 3, (True, W_PROBATION, True)),
    (7, '政务警告', False, 2, (True, W, True)),
    (8, '政务记过', False, 2, (True, W, True)),
    (9, '政务记大过', False, 2, (True, W, True)),
    (10, '政务降级', False, 3, (True, W, True)),
    (10, '政务撤职', False, 3, (True, W, True)),
    (11, '责令辞职', True, 2, (True, W, True)),
    (12, '调离岗位', False, 2, (True, W, True)),
    (13, '诫勉', True, 1, (True, W, True)),
    (14, '诫勉', False, 1, (True, W, False)),
    (15, '停职检查', False, 2, (True, W_DEFAULT, True)),
    (16, '通报批评', True, 1, (True, W_DEFAULT, True)),
    (17, '批评教育', False, 1, (True, W_DEFAULT, False)),
]
ROWS = 17


@pytest.fixture(scope='module')
def decide():
    bundle = load_bundle({f'dmn_{DECISION}_test.bpmn': HARNESS,
                          f'{DECISION}.dmn': (BPMN_DIR / f'{DECISION}.dmn').read_bytes()})
    engine = WorkflowEngine()

    def run(sanction_type, is_accountability, form) -> tuple[dict, list[int]]:
        wf = engine.start(bundle, {'sanction_type': sanction_type, 'is_accountability': is_accountability,
                                   'form': form})
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
    assert inputs == ['sanction_type', 'is_accountability', 'form']
    outputs = [o.get('name') for o in table.findall('dmn:output', DMN_NS)]
    assert outputs == ['in_scope', 'visit_window', 'priority']
    assert len(table.findall('dmn:rule', DMN_NS)) == ROWS


def test_every_row_has_a_case():
    assert {row for row, *_ in ROW_CASES} == set(range(1, ROWS + 1))


@pytest.mark.parametrize(('row', 'sanction_type', 'is_accountability', 'form', 'expected'), ROW_CASES,
                         ids=[f'row{c[0]}-{c[1]}-{c[2]}' for c in ROW_CASES])
def test_each_row(decide, row, sanction_type, is_accountability, form, expected):
    data, matched = decide(sanction_type, is_accountability, form)
    assert matched == [row]
    got = (data['in_scope'], data['visit_window'], data['priority'])
    assert got == expected


def test_impact_periods_have_one_source():
    """Correction 3: only impact_period.dmn gives months; revisit_due and the processes read that table."""
    tables = {p.stem: etree.parse(str(p)).getroot() for p in BPMN_DIR.glob('*.dmn')}
    output = f"{{{DMN_NS['dmn']}}}output"
    with_months = sorted(stem for stem, root in tables.items()
                         if any(o.get('name') == 'impact_period_months' for o in root.iter(output)))
    assert with_months == ['impact_period']
    for key in ('four_forms_disposition', 'follow_up_visit'):
        text = (BPMN_DIR / f'{key}.bpmn').read_text(encoding='utf-8')
        assert '<spiffworkflow:calledDecisionId>impact_period</spiffworkflow:calledDecisionId>' in text, key
    # integrity_opinion reads the 影响期 the deciding process recorded on the cadre (issue 15): no months of its own
    text = (BPMN_DIR / 'integrity_opinion.bpmn').read_text(encoding='utf-8')
    assert 'impact_period_months' not in text and "record['sanctions_in_force']" in text


def test_priority_follows_form_or_accountability_for_unlisted_types(decide):
    cases = [(3, False, True), (2, False, True), (1, True, True), (1, False, False)]
    for form, accountable, priority in cases:
        data, _ = decide('其他处理', accountable, form)
        assert data['priority'] is priority, (form, accountable)
