"""Issue 11 point 4: form schemas are data, never a reach outside, and patterns cannot burn the CPU.

Only local `$ref` resolve; every other reference is refused at check/deploy and never fetched (the
validator has no retrieving registry at all).  `pattern`, `patternProperties` and the
`additionalProperties` check that matches names against them run on RE2 (linear time).
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from service.cases import forms
from tests.workflows.bpmn_builder import bundle_files, linear, user_task
from workflows import formschema
from workflows.specs import check_files, load_bundle

OUTSIDE_REFS = [
    'http://127.0.0.1:9/schema.json', 'https://example.org/s.json#/defs/x', 'file:///etc/passwd',
    'other.json', '../forms/other.json#/properties/a', '/etc/hosts', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    '//evil.example/x', 'forms/t/form.json',
]


def form(**schema) -> dict:
    return {'type': 'object', 'properties': {'a': {'type': 'string'}}, **schema}


def files_with(schema: dict) -> dict[str, bytes]:
    return bundle_files(linear(user_task('fill')), **{'forms/t/form.json': json.dumps(schema).encode()})


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything tries to open a URL."""
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args)
        raise AssertionError(f"tried to fetch {args}")

    monkeypatch.setattr(urllib.request, 'urlopen', refuse)
    return opened


@pytest.mark.parametrize('ref', OUTSIDE_REFS)
@pytest.mark.parametrize('where', ['property', 'defs', 'dynamic'])
def test_a_reference_outside_the_form_is_refused_at_check_and_deploy(ref, where):
    if where == 'property':
        schema = form(properties={'a': {'$ref': ref}})
    elif where == 'defs':
        schema = form(**{'$defs': {'x': {'allOf': [{'$ref': ref}]}}, 'properties': {'a': {'$ref': '#/$defs/x'}}})
    else:
        schema = form(properties={'a': {'$dynamicRef': ref}})
    problems = check_files(files_with(schema))
    assert any('只允许表单内部的引用' in p.message and p.file == 'forms/t/form.json' for p in problems), problems


def test_a_nested_id_that_would_rebase_local_references_is_refused():
    schema = form(properties={'a': {'$id': 'http://evil.example/', '$ref': '#/x'}})
    assert any('$id' in p.message for p in check_files(files_with(schema)))


def test_local_references_resolve_and_a_dangling_one_is_refused():
    good = form(**{'$defs': {'name': {'type': 'string', 'maxLength': 3}}}, properties={'a': {'$ref': '#/$defs/name'}})
    assert check_files(files_with(good)) == []
    assert forms.validate(good, {'a': 'abcd'}) == {'a': ['不能超过 3 个字符']}
    assert forms.validate(good, {'a': 'abc'}) == {}
    dangling = form(properties={'a': {'$ref': '#/$defs/missing'}})
    assert any('不存在' in p.message for p in check_files(files_with(dangling)))


@pytest.mark.parametrize('ref', OUTSIDE_REFS)
def test_validation_never_fetches_even_for_a_schema_that_slipped_past_the_check(ref, no_network):
    schema = form(properties={'a': {'$ref': ref}})
    errors = forms.validate(schema, {'a': 'x'})
    assert errors and '_form' in errors
    assert no_network == []


def test_versions_deployed_before_the_check_still_load_and_never_fetch(no_network):
    bundle = load_bundle(files_with(form(properties={'a': {'$ref': OUTSIDE_REFS[0]}})), bounds=None)
    assert forms.validate(bundle.forms['forms/t/form.json'], {'a': 'x'})
    assert no_network == []


# ---- patterns ----

# Exponential (or high-polynomial) on a backtracking engine; Python's re takes hours on these inputs.
CATASTROPHIC = [r'^(a+)+$', r'^(a|aa)+$', r'^(a|a?)+$', r'^(\w+\s?)*$', r'(x+x+)+y',
                r'^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@)', r'^(a*)*b$', r'^((ab)*|a)*c$']
LIMIT = 0.5   # seconds; linear matching of 100k characters takes milliseconds


def evil_input(pattern: str) -> str:
    if 'x' in pattern:
        return 'x' * 100_000
    if 'ab' in pattern:
        return 'ab' * 50_000 + 'a'
    if r'\s' in pattern:
        return 'aaaa ' * 20_000 + '!'
    return 'a' * 100_000 + '!'


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


@pytest.mark.parametrize('pattern', CATASTROPHIC)
def test_a_catastrophic_pattern_on_a_long_input_ends_quickly(pattern):
    schema = form(properties={'a': {'type': 'string', 'pattern': pattern}})
    assert check_files(files_with(schema)) == []        # a valid regular expression: deployable
    errors, seconds = timed(forms.validate, schema, {'a': evil_input(pattern)})
    assert errors, pattern
    assert seconds < LIMIT, (pattern, seconds)


@pytest.mark.parametrize('pattern', CATASTROPHIC[:4])
def test_pattern_properties_and_additional_properties_are_bounded_too(pattern):
    schema = {'type': 'object', 'patternProperties': {pattern: {'type': 'string'}}, 'additionalProperties': False}
    data = {evil_input(pattern) + str(i): 'v' for i in range(20)}
    errors, seconds = timed(forms.validate, schema, data)
    assert errors
    assert seconds < LIMIT, (pattern, seconds)


def test_many_pattern_fields_stay_linear():
    schema = form(properties={f'f{i}': {'type': 'string', 'pattern': r'^(a|aa)+$'} for i in range(40)})
    data = {f'f{i}': 'a' * 20_000 + '!' for i in range(40)}
    errors, seconds = timed(forms.validate, schema, data)
    assert len(errors) == 40 and seconds < LIMIT, seconds


def test_jsonschema_matches_patterns_with_re2():
    # the stand-in must stay in place: a jsonschema release that moved its pattern matching would
    # silently bring back backtracking, so check where jsonschema looks it up
    from jsonschema import _keywords, _utils
    formschema.install()
    assert _keywords.re.search is formschema._search and _utils.re.search is formschema._search


def test_ordinary_patterns_keep_working():
    schema = form(properties={'phone': {'type': 'string', 'pattern': r'^1\d{10}$'},
                              'name': {'type': 'string', 'pattern': r'^[\u4e00-\u9fa5]{2,4}$'}})
    assert check_files(files_with(schema)) == []
    assert forms.validate(schema, {'phone': '13800000000', 'name': '张三'}) == {}
    assert set(forms.validate(schema, {'phone': '1380', 'name': 'zhang'})) == {'phone', 'name'}


@pytest.mark.parametrize('pattern', ['(unclosed', r'(a)\1', r'(?=a)a', r'(?<!x)a', 'a{1001}'])
def test_a_pattern_re2_cannot_run_is_refused_at_check_and_never_run(pattern):
    schema = form(properties={'a': {'type': 'string', 'pattern': pattern}})
    assert any(p.file == 'forms/t/form.json' for p in check_files(files_with(schema)))
    assert '_form' in forms.validate(schema, {'a': 'aaa'})   # a version deployed before: refused, not run


@pytest.mark.parametrize('value', [float('nan'), float('inf'), [1, float('-inf')], {'x': float('nan')}])
def test_nan_and_infinity_in_form_data_are_refused(value):
    schema = form(properties={'a': {}}, additionalProperties=True)
    assert forms.validate(schema, {'a': value})


@pytest.mark.parametrize('schema', [
    form(properties={'a': {'$ref': '#/properties/a'}}),
    form(**{'$defs': {'x': {'$ref': '#/$defs/y'}, 'y': {'allOf': [{'$ref': '#/$defs/x'}]}}},
         properties={'a': {'$ref': '#/$defs/x'}}),
    form(allOf=[{'$ref': '#'}]),
    form(properties={'a': {'anyOf': [{'type': 'string'}, {'$ref': '#/properties/a'}]}}),
    form(properties={'a': {'not': {'$ref': '#/properties/a'}}}),
    form(properties={'a': {'if': {'$ref': '#/properties/a'}, 'then': {'type': 'string'}}}),
])
def test_a_reference_cycle_that_never_descends_into_the_value_is_refused(schema):
    problems = check_files(files_with(schema))
    assert any('引用循环' in p.message and p.file == 'forms/t/form.json' for p in problems), problems


def test_a_recursive_form_that_descends_into_the_value_is_accepted_and_validates():
    tree = {'type': 'object', '$defs': {'node': {'type': 'object', 'properties': {
        'name': {'type': 'string'}, 'children': {'type': 'array', 'items': {'$ref': '#/$defs/node'}}}}},
        'properties': {'a': {'type': 'string'}, 'root': {'$ref': '#/$defs/node'}}}
    assert check_files(files_with(tree)) == []
    validator = formschema.form_validator(tree)
    assert validator.is_valid({'root': {'name': 'x', 'children': [{'name': 'y', 'children': []}]}})
    assert not validator.is_valid({'root': {'name': 1}})
