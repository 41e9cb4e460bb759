"""DMN decision tables evaluated through the sandbox, with DMN cell shorthands."""

from pathlib import Path

import pytest

from tests.workflows.bpmn_builder import bundle_files, linear, user_task
from workflows.engine import WorkflowEngine
from workflows.errors import ExpressionFailed
from workflows.specs import collect_sources, load_bundle

FIXTURES = Path(__file__).parent / 'fixtures'

DMN = '''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="t" namespace="http://q.test/dmn">
  <decision id="grade" name="分级">
    <decisionTable id="table" hitPolicy="{policy}">
      <input id="in1" label="x">
        <inputExpression id="e1" typeRef="number"><text>x</text></inputExpression>
      </input>
      <output id="out1" label="grade" name="grade" typeRef="string" />
      {rules}
    </decisionTable>
  </decision>
</definitions>'''


def decide(cells: list[tuple[str, str]], x, policy: str = "FIRST"):
    rules = ''.join(f'<rule id="r{i}"><inputEntry id="i{i}"><text>{cell}</text></inputEntry>'
                    f'<outputEntry id="o{i}"><text>{out}</text></outputEntry></rule>'
                    for i, (cell, out) in enumerate(cells))
    task = ('<bpmn:businessRuleTask id="rule" name="判定"><bpmn:extensionElements>'
            '<spiffworkflow:calledDecisionId>grade</spiffworkflow:calledDecisionId>'
            '</bpmn:extensionElements></bpmn:businessRuleTask>')
    dmn = DMN.format(rules=rules, policy=policy).encode()
    files = bundle_files(linear(task, user_task('show')), **{'grade.dmn': dmn})
    engine = WorkflowEngine()
    return engine.case_data(engine.start(load_bundle(files), {'x': x})).get('grade')


@pytest.fixture
def simple():
    return load_bundle(collect_sources(FIXTURES, 'simple_case'))


@pytest.mark.parametrize(('facts', 'disposition', 'urgent'), [
    ({'severity': 'serious', 'amount': 5000, 'is_real_name': True}, '立案审查', True),
    ({'severity': 'serious', 'amount': 5000, 'is_real_name': False}, '初步核实', False),
    ({'severity': 'moderate', 'amount': 1, 'is_real_name': True}, '初步核实', False),
    ({'severity': 'minor', 'amount': 1, 'is_real_name': False}, '予以了结', False),
])
def test_the_disposal_table_picks_the_first_matching_rule(simple, facts, disposition, urgent):
    engine = WorkflowEngine()
    wf = engine.start(simple, {'settings': {}, 'received_date': '2026-03-02'})
    engine.complete(wf, engine.ready_human_tasks(wf)[0].id, facts)
    data = engine.case_data(wf)
    assert (data['disposition'], data['urgent']) == (disposition, urgent)


@pytest.mark.parametrize(('cell', 'x', 'matches'), [
    ('"a"', 'a', True), ('"a"', 'b', False),
    ('"a","b"', 'b', True), ('"a", "b"', 'c', False),
    ('&gt; 1000', 1001, True), ('&gt; 1000', 1000, False),
    ('&lt;= 10', 10, True), ('10', 10, True),
    ('true', True, True), ('false', True, False),
    ('-', 'anything', True), ('', 'anything', True),
    ('1 &lt; ? &lt; 5', 3, True), ('1 &lt; ? &lt; 5', 7, False),
    ('"a" if False else "b"', 'b', True),
])
def test_input_cells_use_dmn_shorthands(cell, x, matches):
    grade = decide([(cell, '"hit"'), ('-', '"miss"')], x)
    assert grade == ('hit' if matches else 'miss')


def test_output_cells_are_sandbox_expressions():
    assert decide([('-', 'f"级别{x * 2}"')], 21) == '级别42'
    assert decide([('-', 'null')], 1) is None


def test_dangerous_cells_are_refused_at_upload():
    from workflows.errors import SpecInvalid
    with pytest.raises(SpecInvalid) as caught:
        decide([("__import__('os')", '"x"')], 1)
    assert [p.element_id for p in caught.value.problems] == ['i0']


def test_a_cell_that_fails_at_run_time_is_an_expression_failure():
    with pytest.raises(ExpressionFailed, match='rule'):
        decide([('&gt; missing', '"x"')], 1)



def test_unique_refuses_overlapping_rules_instead_of_taking_the_first():
    """UNIQUE means one rule at most; SpiffWorkflow alone would silently return the first of several."""
    from workflows.dmn import HitPolicyViolated
    with pytest.raises(HitPolicyViolated, match='r0, r1'):
        decide([('&gt; 1', '"high"'), ('-', '"any"')], 5, policy='UNIQUE')


def test_unique_answers_when_exactly_one_rule_matches():
    assert decide([('&gt; 1', '"high"'), ('&lt;= 1', '"low"')], 5, policy='UNIQUE') == 'high'


def test_first_returns_the_first_matching_rule():
    assert decide([('&gt; 1', '"high"'), ('-', '"any"')], 5, policy='FIRST') == 'high'


def test_every_deployed_unique_table_is_declared_so_only_without_catch_all_rows():
    """A UNIQUE table of bpmn/ must not end in an all-`-` row that overlaps every other row."""
    from lxml import etree
    root = Path(__file__).resolve().parents[2] / 'bpmn'
    for path in sorted(root.glob('*.dmn')):
        for table in etree.parse(str(path)).getroot().iter('{*}decisionTable'):
            if table.get('hitPolicy', 'UNIQUE') != 'UNIQUE':
                continue
            rules = list(table.iterfind('{*}rule'))
            catch_all = [r.get('id') for r in rules
                         if all((e.findtext('{*}text') or '').strip() in ('', '-')
                                for e in r.iterfind('{*}inputEntry'))]
            assert not (catch_all and len(rules) > 1), f"{path.name}: UNIQUE with catch-all rows {catch_all}"
