"""Small processes for the case-security tests, built as a designer would upload them."""

from __future__ import annotations

import json

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
          'id="defs" targetNamespace="http://qingfeng.test/bpmn">\n')


def _json(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def _props(**props: str) -> str:
    inner = ''.join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
    return f'<spiffworkflow:properties>{inner}</spiffworkflow:properties>'


def _chain(key: str, name: str, nodes: list[str], start_form: str | None) -> bytes:
    ids = ['start'] + [n.split('id="', 1)[1].split('"', 1)[0] for n in nodes] + ['end']
    form = (f'<spiffworkflow:formJsonSchemaFilename>{start_form}</spiffworkflow:formJsonSchemaFilename>'
            if start_form else '')
    body = (f'<bpmn:startEvent id="start"><bpmn:extensionElements>{_props(start_roles="intake,handler")}{form}'
            '</bpmn:extensionElements></bpmn:startEvent>\n' + ''.join(nodes) + '<bpmn:endEvent id="end"/>\n')
    body += ''.join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>\n'
                    for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return (HEADER + f'<bpmn:process id="{key}" name="{name}" isExecutable="true">\n{body}'
            '</bpmn:process>\n</bpmn:definitions>\n').encode()


def user_task(tid: str, form: str, role: str = 'handler') -> str:
    return (f'<bpmn:userTask id="{tid}" name="办理 {tid}"><bpmn:extensionElements>'
            f'<spiffworkflow:formJsonSchemaFilename>{form}</spiffworkflow:formJsonSchemaFilename>'
            f'{_props(role=role)}</bpmn:extensionElements></bpmn:userTask>\n')


def script_task(tid: str, script: str, links: dict[str, str] | None = None) -> str:
    ext = ''
    if links:
        ext = f'<bpmn:extensionElements>{_props(**{f"start_case_{n}": k for n, k in links.items()})}' \
              '</bpmn:extensionElements>'
    text = script.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return f'<bpmn:scriptTask id="{tid}" name="脚本 {tid}">{ext}<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>\n'


OPEN_FORM = {'type': 'object', 'additionalProperties': True, 'properties': {'note': {'type': 'string'}}}
LEVELS = {'$schema': 'https://json-schema.org/draft/2020-12/schema', 'title': '设置', 'type': 'object',
          'additionalProperties': False,
          'properties': {'approval_levels': {'title': '审批层级', 'type': 'integer', 'minimum': 0,
                                             'maximum': 3, 'default': 2}}}


def open_forms() -> dict[str, bytes]:
    """`open_forms`: start and task forms accept any key (additionalProperties), so only the reserved-name
    rule stands between the data and the engine; the process reads one setting."""
    bpmn = _chain('open_forms', '开放表单', [
        script_task('load', "levels = get(settings, 'approval_levels', 2)"),
        user_task('fill', 'open_forms/fill.json'),
        user_task('after', 'open_forms/fill.json'),
    ], 'open_forms/start.json')
    return {'open_forms.bpmn': bpmn, 'forms/open_forms/start.json': _json(OPEN_FORM),
            'forms/open_forms/fill.json': _json(OPEN_FORM), 'settings/open_forms.json': _json(LEVELS)}


LINK_TARGET_FORM = {'type': 'object', 'additionalProperties': False,
                    'properties': {'subject_name': {'type': 'string', 'maxLength': 100}}}


def link_target() -> dict[str, bytes]:
    """`link_target`: what the linking processes start."""
    bpmn = _chain('link_target', '被关联流程', [user_task('handle', 'link_target/handle.json')],
                  'link_target/start.json')
    return {'link_target.bpmn': bpmn, 'forms/link_target/start.json': _json(LINK_TARGET_FORM),
            'forms/link_target/handle.json': _json(OPEN_FORM)}


def linker(script: str, links: dict[str, str] | None = None, key: str = 'linker') -> dict[str, bytes]:
    """`linker`: after its `decide` task, a script (declaring `links`) runs, then `done` waits."""
    bpmn = _chain(key, '发起关联的流程', [
        user_task('decide', f'{key}/decide.json'),
        script_task('link', script, links),
        user_task('done', f'{key}/decide.json'),
    ], None)
    form = {'type': 'object', 'additionalProperties': False,
            'properties': {'subject_name': {'type': 'string'}, 'count': {'type': 'integer'}}}
    return {f'{key}.bpmn': bpmn, f'forms/{key}/decide.json': _json(form)}
