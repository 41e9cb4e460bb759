"""Loading process versions: hardened XML intake, XSD validation and lint."""

from pathlib import Path

import pytest

from tests.workflows.bpmn_builder import (
    HEADER,
    bundle_files,
    flow,
    linear,
    process,
    script_task,
    user_task,
)
from workflows.errors import Problem, SpecInvalid
from workflows.specs import (
    MAX_FILE_BYTES,
    ProcessBundle,
    check_files,
    collect_sources,
    content_hash,
    load_bundle,
    load_bundle_cached,
)

FIXTURES = Path(__file__).parent / 'fixtures'


def problems_of(files) -> list[Problem]:
    with pytest.raises(SpecInvalid) as caught:
        load_bundle(files)
    assert caught.value.problems == check_files(files)
    return caught.value.problems


def messages(problems) -> str:
    return ' | '.join(p.message for p in problems)


def good_files():
    return collect_sources(FIXTURES, 'simple_case')


def test_good_files_load_into_a_bundle_with_tasks_forms_and_roles():
    bundle = load_bundle(good_files())
    assert isinstance(bundle, ProcessBundle)
    assert (bundle.key, bundle.name) == ('simple_case', '简单线索处置')
    assert bundle.start_roles == ('intake', 'handler')
    assert set(bundle.tasks) == {'register', 'approve'}
    register = bundle.tasks['register']
    assert (register.role, register.lane) == ('handler', '承办人')
    assert register.form == 'forms/simple_case/register.json'
    assert register.deadline_expr == 'workday_deadline(received_date, forward_days)'
    assert register.documentation == '登记线索基本信息 [S10 art.15]'
    assert bundle.tasks['approve'].approves == 'register'
    assert bundle.forms['forms/simple_case/register.json']['title'] == '登记线索'
    assert bundle.sha256 == content_hash(bundle.files)


def test_collect_sources_gathers_the_process_its_decisions_and_forms():
    assert sorted(good_files()) == ['forms/simple_case/approve.json', 'forms/simple_case/register.json',
                                    'settings/simple_case.json',
                                    'simple_case.bpmn', 'simple_disposal.dmn']


def test_content_hash_ignores_dict_order_but_not_content():
    files = good_files()
    reordered = dict(reversed(list(files.items())))
    assert content_hash(files) == content_hash(reordered)
    changed = {**files, 'simple_case.bpmn': files['simple_case.bpmn'] + b' '}
    assert content_hash(files) != content_hash(changed)


def test_cached_loading_returns_the_same_bundle_for_the_same_content():
    assert load_bundle_cached(good_files()) is load_bundle_cached(good_files())


def test_doctype_is_refused():
    bpmn = process('<bpmn:startEvent id="start" />')
    bpmn = bpmn.replace(b'<bpmn:definitions', b'<!DOCTYPE x []>\n<bpmn:definitions')
    assert messages(problems_of(bundle_files(bpmn))) == '不允许 DOCTYPE/实体声明'


def test_external_entity_is_refused_and_never_read():
    body = linear(script_task('s', 'leak = "&xxe;"')).replace(b'&amp;xxe;', b'&xxe;').split(b'\n', 1)[1]
    xml = b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + body
    found = problems_of(bundle_files(xml))
    assert found[0].message == '不允许 DOCTYPE/实体声明' and found[0].line == 2
    assert 'root:' not in str(found)


def test_billion_laughs_is_refused():
    refs = ['&lol;' * 10] + [f'&lol{i};' * 10 for i in range(1, 9)]
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + ''.join(
        f'<!ENTITY lol{i + 1} "{ref}">' for i, ref in enumerate(refs)) + ']>'
    xml = f'<?xml version="1.0"?>\n{lol}\n<x>&lol9;</x>'.encode()
    assert messages(problems_of({'p.bpmn': xml})) == '不允许 DOCTYPE/实体声明'


def test_ten_thousand_fold_internal_entity_is_refused():
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "' + 'x' * 30 + '">]>\n<d>' + '&a;' * 10_000
           + '</d>').encode()
    assert messages(problems_of({'p.bpmn': xml})) == '不允许 DOCTYPE/实体声明'


def test_lowercase_or_spaced_doctype_is_refused_too():
    for xml in (b'<?xml version="1.0"?><!doctype x><x/>', b'<x><! ENTITY a "b"></x>'):
        assert messages(problems_of({'p.bpmn': xml})) == '不允许 DOCTYPE/实体声明'


def test_malformed_xml_is_a_problem_with_a_line():
    broken = HEADER.encode() + b'<bpmn:process id="p">\n<bpmn:startEvent>\n</bpmn:process>'
    found = problems_of({'p.bpmn': broken})
    assert 'XML 格式错误' in found[0].message and found[0].line


def test_bad_encoding_is_a_problem_not_an_exception():
    assert '编码' in messages(problems_of({'p.bpmn': b'<x>\xff\xfe\xfa</x>'}))
    assert '编码' in messages(problems_of({'p.bpmn': b'<?xml version="1.0" encoding="no-such"?><x/>'}))


def test_gbk_declared_files_are_decoded_by_their_declaration():
    bpmn = linear(script_task('s', "label = '中文'"))
    gbk = bpmn.decode().replace('encoding="UTF-8"', 'encoding="GBK"').encode('gbk')
    assert load_bundle(bundle_files(gbk)).key == 'p'


def test_too_large_files_are_refused():
    files = bundle_files(b'<x>' + b' ' * MAX_FILE_BYTES + b'</x>')
    assert '文件过大' in messages(problems_of(files))


def test_missing_start_event_names_the_process():
    bpmn = process('<bpmn:endEvent id="end" />')
    found = problems_of(bundle_files(bpmn))
    assert any(p.message == '缺少开始事件' and p.element_id == 'p' for p in found)


def test_unknown_element_fails_xsd_validation_by_name():
    bpmn = process('<bpmn:startEvent id="start" /><bpmn:fooTask id="ft" />')
    assert 'fooTask' in messages(problems_of(bundle_files(bpmn)))


def test_valid_but_unsupported_element_is_reported_by_name():
    body = ('<bpmn:startEvent id="start" /><bpmn:complexGateway id="cg" /><bpmn:endEvent id="end" />'
            + flow('f1', 'start', 'cg') + flow('f2', 'cg', 'end'))
    found = problems_of(bundle_files(process(body)))
    assert any(p.element_id == 'cg' and 'complexGateway' in p.message for p in found)


def test_non_executable_process_is_refused_plainly():
    bpmn = process('<bpmn:startEvent id="start" />', executable='false')
    assert '没有可执行流程 (isExecutable)' in messages(problems_of(bundle_files(bpmn)))


def test_script_with_import_is_reported_with_its_element_id():
    found = problems_of(bundle_files(linear(script_task('evil', "x = __import__('os').system('id')"))))
    assert [p.element_id for p in found] == ['evil']
    assert found[0].line is not None


def test_condition_with_class_walk_is_reported_with_its_flow_id():
    body = ('<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="gw" default="f3" />'
            '<bpmn:endEvent id="end" /><bpmn:endEvent id="end2" />'
            + flow('f1', 'start', 'gw') + flow('f2', 'gw', 'end', "().__class__.__base__.__subclasses__()")
            + flow('f3', 'gw', 'end2'))
    found = problems_of(bundle_files(process(body)))
    assert [p.element_id for p in found] == ['f2']


def test_pre_and_post_scripts_and_deadline_are_linted():
    extra = ('<spiffworkflow:preScript>import os</spiffworkflow:preScript>'
             '<spiffworkflow:postScript>while True: pass</spiffworkflow:postScript>')
    task = user_task('u', props={'deadline': 'open(x)'}, extra=extra)
    found = problems_of(bundle_files(linear(task)))
    assert len(found) == 3 and {p.element_id for p in found} == {'u'}


def test_timer_expressions_are_linted():
    timer = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">'
             '<bpmn:timeDate>__import__("os")</bpmn:timeDate></bpmn:timerEventDefinition>'
             '</bpmn:intermediateCatchEvent>')
    assert [p.element_id for p in problems_of(bundle_files(linear(timer)))] == ['wait']


def test_human_tasks_need_a_known_role_and_an_existing_valid_form():
    bpmn = linear(user_task('no_role', role=None), user_task('bad_role', role='king'),
                  user_task('no_form', form=None), user_task('missing_form', form='t/missing.json'),
                  user_task('broken_form', form='t/broken.json'),
                  user_task('bad_approves', props={'approves': 'x'}))
    files = bundle_files(bpmn, **{'forms/t/broken.json': b'{"type": "no-such-type"}'})
    by_id = {p.element_id or p.file: p.message for p in problems_of(files)}
    assert '缺少 role' in by_id['no_role']
    assert '未知角色 king' in by_id['bad_role']
    assert '缺少表单' in by_id['no_form']
    assert '不存在' in by_id['missing_form']
    assert 'JSON Schema' in by_id['forms/t/broken.json']
    assert 'approves' in by_id['bad_approves']
    assert 'broken_form' not in by_id


def test_unknown_start_roles_are_reported():
    body = ('<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="start_roles" value="handler,emperor" /></spiffworkflow:properties>'
            '</bpmn:extensionElements></bpmn:startEvent><bpmn:endEvent id="end" />'
            + flow('f', 'start', 'end'))
    assert 'emperor' in messages(problems_of(bundle_files(process(body))))


def test_exclusive_gateway_flows_need_conditions_or_a_default():
    body = ('<bpmn:startEvent id="start" /><bpmn:exclusiveGateway id="gw" />'
            '<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
            + flow('f1', 'start', 'gw') + flow('fa', 'gw', 'a', "x == 1") + flow('fb', 'gw', 'b'))
    found = problems_of(bundle_files(process(body)))
    assert [p.element_id for p in found] == ['fb']


def test_unreachable_nodes_and_dead_ends_are_reported():
    body = ('<bpmn:startEvent id="start" />' + script_task('stuck', 'x = 1') + script_task('island', 'y = 1')
            + '<bpmn:endEvent id="end" />' + flow('f1', 'start', 'stuck') + flow('f2', 'island', 'end'))
    found = problems_of(bundle_files(process(body)))
    assert {(p.element_id, '不可达' in p.message) for p in found} >= {('island', True), ('stuck', False)}


def test_dmn_cells_are_linted_with_their_ids():
    dmn = (FIXTURES / 'simple_disposal.dmn').read_text(encoding='utf-8')
    dmn = dmn.replace('"立案审查"', "__import__('os')").encode()
    files = {**good_files(), 'simple_disposal.dmn': dmn}
    assert [p.element_id for p in problems_of(files)] == ['r1_o']


def test_missing_dmn_is_a_problem_not_an_exception():
    files = {k: v for k, v in good_files().items() if not k.endswith('.dmn')}
    assert '决策表' in messages(problems_of(files))


def test_files_of_unknown_type_are_refused():
    assert '不支持的文件类型' in messages(problems_of({**good_files(), 'evil.py': b'print(1)'}))


def test_check_files_never_raises_on_garbage():
    for garbage in ({}, {'p.bpmn': b''}, {'p.bpmn': b'\x00\x01'}, {'p.dmn': b'<x/>'}, {'p.bpmn': b'<x/>'}):
        assert check_files(garbage)


def test_a_call_activity_to_a_missing_process_is_reported_on_the_call():
    main = linear('<bpmn:callActivity id="call" name="回访" calledElement="nosuch" />', pid='mainp')
    found = problems_of(bundle_files(main, name='mainp.bpmn'))
    assert [(p.element_id, p.message) for p in found] == [('call', '找不到被调用的流程 nosuch')]


def test_the_process_id_must_equal_the_file_name():
    found = problems_of(bundle_files(linear(user_task('a')), name='other.bpmn'))
    assert [(p.element_id, p.message) for p in found] == [('p', '流程 id 必须等于文件名 other')]


def test_a_dmn_decision_id_must_equal_the_file_name():
    files = good_files()
    files['other_name.dmn'] = files.pop('simple_disposal.dmn')
    assert any(p.file == 'other_name.dmn' and '决策 id' in p.message for p in problems_of(files))


def test_the_real_process_files_all_load():
    root = Path(__file__).parents[2] / 'bpmn'
    keys = sorted(p.stem for p in root.glob('*.bpmn'))
    for key in keys:
        assert load_bundle(collect_sources(root, key)).key == key


def test_collect_sources_stays_inside_the_process_directory(tmp_path):
    (tmp_path / 'bpmn').mkdir()
    (tmp_path / 'secret.json').write_text('{}')
    body = linear(user_task('a', form='../../secret.json'), pid='p')
    (tmp_path / 'bpmn' / 'p.bpmn').write_bytes(body)
    assert list(collect_sources(tmp_path / 'bpmn', 'p')) == ['p.bpmn']
    for bad_key in ('../p', 'nosuch', ''):
        with pytest.raises(SpecInvalid):
            collect_sources(tmp_path / 'bpmn', bad_key)


def test_form_fields_may_not_shadow_expression_helpers():
    form = b'{"type": "object", "properties": {"sum": {"type": "number"}, "today": {"type": "string"}}}'
    found = problems_of(bundle_files(linear(user_task('a')), **{'forms/t/form.json': form}))
    assert [(p.file, 'sum, today' in p.message) for p in found] == [('forms/t/form.json', True)]
