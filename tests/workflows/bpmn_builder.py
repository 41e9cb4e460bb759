"""Small builders for inline BPMN test processes."""

from __future__ import annotations

import json

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
          'id="defs" targetNamespace="http://qingfeng.test/bpmn">\n')

FORM = json.dumps({'type': 'object', 'properties': {'opinion': {'type': 'string'}}}).encode()


def process(body: str, pid: str = 'p', name: str = '测试流程', executable: str = 'true',
            head: str = '') -> bytes:
    """A BPMN file with one process around `body`."""
    return (HEADER + head + f'<bpmn:process id="{pid}" name="{name}" isExecutable="{executable}">\n'
            + body + '\n</bpmn:process>\n</bpmn:definitions>\n').encode()


def flow(fid: str, source: str, target: str, condition: str | None = None) -> str:
    """A sequence flow, optionally with a condition."""
    if condition is None:
        return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}" />\n'
    cond = condition.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return (f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{cond}</bpmn:conditionExpression></bpmn:sequenceFlow>\n')


def user_task(tid: str, name: str = '办理', role: str | None = 'handler', form: str | None = 't/form.json',
              props: dict | None = None, extra: str = '') -> str:
    """A user task with role/form extensions."""
    all_props = dict(props or {})
    if role is not None:
        all_props['role'] = role
    prop_xml = ''.join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in all_props.items())
    form_xml = (f'<spiffworkflow:formJsonSchemaFilename>{form}</spiffworkflow:formJsonSchemaFilename>'
                if form else '')
    return (f'<bpmn:userTask id="{tid}" name="{name}"><bpmn:extensionElements>{form_xml}'
            f'<spiffworkflow:properties>{prop_xml}</spiffworkflow:properties>{extra}'
            f'</bpmn:extensionElements></bpmn:userTask>\n')


def script_task(tid: str, script: str, name: str = '脚本', links: dict[str, str] | None = None) -> str:
    """A script task; `links` declares linked cases it may start ({'follow_up': 'follow_up_visit'})."""
    text = script.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    ext = ''
    if links:
        props = ''.join(f'<spiffworkflow:property name="start_case_{n}" value="{k}"/>' for n, k in links.items())
        ext = (f'<bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties>'
               '</bpmn:extensionElements>')
    return f'<bpmn:scriptTask id="{tid}" name="{name}">{ext}<bpmn:script>{text}</bpmn:script></bpmn:scriptTask>\n'


def bundle_files(bpmn: bytes, name: str = 'p.bpmn', **extra: bytes) -> dict[str, bytes]:
    """Files of a process version: the BPMN plus the default form."""
    return {name: bpmn, 'forms/t/form.json': FORM, **extra}


def linear(*elements: str, pid: str = 'p') -> bytes:
    """start -> elements... -> end, chained by flows (elements must be single nodes with ids)."""
    ids = ['start'] + [e.split('id="', 1)[1].split('"', 1)[0] for e in elements] + ['end']
    body = '<bpmn:startEvent id="start" />\n' + ''.join(elements) + '<bpmn:endEvent id="end" />\n'
    body += ''.join(flow(f'f{i}', a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return process(body, pid=pid)
