"""Upload-time lint of BPMN/DMN trees: sandbox expressions, roles, forms, gateways, reachability."""

from __future__ import annotations

import re
from collections import deque

from lxml import etree

from .dmn import cell_as_expression, is_any_cell
from .errors import Problem
from .sandbox import check_expression, check_script
from .xmlsafe import element_lines

# The service moves reporter_* fields out of case data (confidential); a process must never read them.
_RESERVED = re.compile(r'\breporter_[A-Za-z0-9_]*')

BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core'
NS = {'bpmn': BPMN_NS, 'spiffworkflow': SPIFF_NS}

ROLES = frozenset({'intake', 'handler', 'supervisor', 'leader', 'committee', 'designer', 'auditor', 'admin'})

SUPPORTED_NODES = frozenset({
    'startEvent', 'endEvent', 'intermediateCatchEvent', 'intermediateThrowEvent', 'boundaryEvent',
    'task', 'userTask', 'manualTask', 'scriptTask', 'businessRuleTask', 'sendTask', 'receiveTask',
    'callActivity', 'subProcess', 'transaction', 'exclusiveGateway', 'parallelGateway', 'inclusiveGateway',
    'eventBasedGateway',
})
NON_FLOW = frozenset({
    'sequenceFlow', 'laneSet', 'extensionElements', 'documentation', 'dataObject', 'dataObjectReference',
    'dataStoreReference', 'textAnnotation', 'association', 'group', 'ioSpecification', 'property',
    'correlationSubscription', 'dataInputAssociation', 'dataOutputAssociation',
})
_SCOPES = ('process', 'subProcess', 'transaction', 'definitions')
_EXPRESSION_TAGS = ('conditionExpression', 'completionCondition', 'loopCardinality', 'loopCondition',
                    'timeDate', 'timeDuration', 'timeCycle', 'messagePath', 'formalExpression')


def local(el: etree._Element) -> str:
    """Local tag name of an element."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ''


def properties(el: etree._Element) -> dict[str, str]:
    """The spiffworkflow:property name/value pairs of an element."""
    path = './bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property'
    found = el.xpath(path, namespaces=NS)
    return {p.get('name'): p.get('value', '') for p in found if p.get('name')}


def extension_text(el: etree._Element, tag: str) -> str | None:
    """Text of a direct spiffworkflow extension element, or None."""
    found = el.xpath(f'./bpmn:extensionElements/spiffworkflow:{tag}', namespaces=NS)
    return (found[0].text or '').strip() if found else None


def form_key(form: str) -> str:
    """Bundle file name of a form named in `formJsonSchemaFilename`."""
    return form if form.startswith('forms/') else f'forms/{form}'


class BpmnLinter:
    """Collect lint problems of one parsed BPMN file."""

    def __init__(self, name: str, root: etree._Element, forms: dict[str, dict], form_problems: set[str]):
        self.name, self.root, self.forms, self.form_problems = name, root, forms, form_problems
        self.lines = element_lines(root)
        self.problems: list[Problem] = []

    def add(self, element_id: str | None, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.name, element_id, message, self.lines.get(element_id)))

    def run(self) -> list[Problem]:
        """Run every check and return the problems."""
        for process in self.root.iterfind(f'{{{BPMN_NS}}}process'):
            self._scope(process)
        self._expressions()
        self._human_tasks()
        return self.problems

    @staticmethod
    def _owner_id(el: etree._Element) -> str | None:
        # The flow node or sequence flow the expression belongs to: the ancestor directly in a scope.
        while el.getparent() is not None and local(el.getparent()) not in _SCOPES:
            el = el.getparent()
        return el.get('id')

    def _expressions(self) -> None:
        for el in self.root.iter(*(f'{{{BPMN_NS}}}{t}' for t in _EXPRESSION_TAGS)):
            text = (el.text or '').strip()
            if text:
                self._check(self._owner_id(el), check_expression(text), local(el), text)
        for el in self.root.iter(f'{{{BPMN_NS}}}script'):
            self._check(self._owner_id(el), check_script(el.text or ''), '脚本', el.text or '')
        for tag in ('preScript', 'postScript'):
            for el in self.root.iter(f'{{{SPIFF_NS}}}{tag}'):
                self._check(self._owner_id(el), check_script(el.text or ''), tag, el.text or '')
        for el in self.root.iter(f'{{{SPIFF_NS}}}property'):
            if el.get('name') == 'deadline':
                self._check(self._owner_id(el), check_expression(el.get('value', '')), 'deadline', el.get('value', ''))

    def _check(self, element_id: str | None, message: str | None, what: str, text: str = '') -> None:
        if message:
            self.add(element_id, f"{what} 不被沙箱接受: {message}")
        if _RESERVED.search(text):
            self.add(element_id, f"{what} 使用了举报人字段 reporter_*：举报人身份单独保密存放，"
                                 "流程中只能使用 is_real_name")

    def _human_tasks(self) -> None:
        user_ids = {el.get('id') for el in self.root.iter(f'{{{BPMN_NS}}}userTask')}
        for el in self.root.iter(f'{{{BPMN_NS}}}userTask', f'{{{BPMN_NS}}}manualTask'):
            task_id, props = el.get('id'), properties(el)
            role = props.get('role')
            if not role:
                self.add(task_id, "人工任务缺少 role 属性")
            elif role not in ROLES:
                self.add(task_id, f"未知角色 {role}")
            approves = props.get('approves')
            if approves and approves not in user_ids:
                self.add(task_id, f"approves 指向的用户任务 {approves} 不存在")
            form = extension_text(el, 'formJsonSchemaFilename')
            if form is None:
                if local(el) == 'userTask':
                    self.add(task_id, "用户任务缺少表单 (formJsonSchemaFilename)")
            elif form_key(form) not in self.forms and form_key(form) not in self.form_problems:
                self.add(task_id, f"表单文件 {form} 不存在")
        for el in self.root.iter(f'{{{BPMN_NS}}}startEvent'):
            roles = [r.strip() for r in properties(el).get('start_roles', '').split(',') if r.strip()]
            unknown = [r for r in roles if r not in ROLES]
            if unknown:
                self.add(el.get('id'), f"start_roles 含未知角色: {', '.join(unknown)}")

    def _scope(self, scope: etree._Element) -> None:
        nodes, flows = {}, []
        for child in scope:
            kind = local(child)
            if kind == 'sequenceFlow':
                flows.append(child)
            elif kind in SUPPORTED_NODES:
                nodes[child.get('id')] = child
            elif kind not in NON_FLOW and kind:
                self.add(child.get('id'), f"不支持的元素类型 {kind}")
        for node in nodes.values():
            if local(node) in ('subProcess', 'transaction'):
                self._scope(node)
        self._graph(scope, nodes, flows)

    def _graph(self, scope: etree._Element, nodes: dict, flows: list) -> None:
        outgoing: dict[str, list] = {node_id: [] for node_id in nodes}
        for flow in flows:
            source, target = flow.get('sourceRef'), flow.get('targetRef')
            for ref in (source, target):
                if ref not in nodes:
                    self.add(flow.get('id'), f"顺序流引用了不存在的节点 {ref}")
            if source in outgoing and target in nodes:
                outgoing[source].append(flow)
        self._gateways(nodes, outgoing)
        starts = [i for i, n in nodes.items() if local(n) == 'startEvent']
        event_sub = scope.get('triggeredByEvent') == 'true'
        if not starts and nodes:
            self.add(scope.get('id'), "缺少开始事件")
        reached = self._reachable(starts, nodes, outgoing)
        for node_id, node in nodes.items():
            kind = local(node)
            if node_id not in reached and not event_sub and node.get('triggeredByEvent') != 'true' \
                    and node.get('isForCompensation') != 'true':
                self.add(node_id, f"节点不可达 ({node.get('name') or kind})")
            if kind != 'endEvent' and not outgoing[node_id] and node.get('triggeredByEvent') != 'true' \
                    and node.get('isForCompensation') != 'true':
                self.add(node_id, f"节点没有出口，流程会停在这里 ({node.get('name') or kind})")

    @staticmethod
    def _reachable(starts: list, nodes: dict, outgoing: dict) -> set:
        hosts: dict[str, list] = {}
        for node_id, node in nodes.items():
            if local(node) == 'boundaryEvent':
                hosts.setdefault(node.get('attachedToRef'), []).append(node_id)
        seen, queue = set(starts), deque(starts)
        while queue:
            current = queue.popleft()
            nexts = [f.get('targetRef') for f in outgoing.get(current, [])] + hosts.get(current, [])
            for nxt in nexts:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def _gateways(self, nodes: dict, outgoing: dict) -> None:
        for node_id, node in nodes.items():
            if local(node) not in ('exclusiveGateway', 'inclusiveGateway') or len(outgoing[node_id]) < 2:
                continue
            default = node.get('default')
            for flow in outgoing[node_id]:
                has_condition = flow.find(f'{{{BPMN_NS}}}conditionExpression') is not None
                if not has_condition and flow.get('id') != default:
                    self.add(flow.get('id'), f"网关 {node_id} 的出口既没有条件也不是默认流")


def lint_dmn(name: str, root: etree._Element) -> list[Problem]:
    """Check every DMN input expression, input cell and output cell with the sandbox."""
    problems, lines = [], element_lines(root)

    def add(el, message):
        problems.append(Problem(name, el.get('id'), message, lines.get(el.get('id')) or el.sourceline))

    decisions = list(root.iter('{*}decision'))
    stem = name.rsplit('/', 1)[-1].removesuffix('.dmn')
    if len(decisions) != 1 or decisions[0].get('id') != stem:
        add(decisions[0] if decisions else root, f"DMN 文件应恰好包含一个决策，且决策 id 等于文件名 {stem}")

    for table in root.iter('{*}decisionTable'):
        inputs = []
        for inp in table.iterfind('{*}input'):
            expr = inp.find('{*}inputExpression/{*}text')
            text = (expr.text or '').strip() if expr is not None else ''
            inputs.append(text)
            message = check_expression(text) if text else "输入列缺少表达式"
            if message:
                add(inp, f"输入表达式不被沙箱接受: {message}")
        for rule in table.iterfind('{*}rule'):
            for column, entry in enumerate(rule.iterfind('{*}inputEntry')):
                cell = entry.findtext('{*}text')
                if is_any_cell(cell) or column >= len(inputs):
                    continue
                message = check_expression(cell_as_expression(inputs[column] or 'v', cell.replace('?', 'v')))
                if message:
                    add(entry, f"输入单元格 {cell.strip()} 不被沙箱接受: {message}")
            for entry in rule.iterfind('{*}outputEntry'):
                cell = (entry.findtext('{*}text') or '').strip()
                message = check_expression(cell) if cell else None
                if message:
                    add(entry, f"输出单元格 {cell} 不被沙箱接受: {message}")
    return problems
