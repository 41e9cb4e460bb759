"""Upload-time lint of BPMN/DMN trees: sandbox expressions, roles, forms, gateways, reachability."""

from __future__ import annotations

import ast
import re
from collections import deque

from lxml import etree

from .bounds import TIMER_KINDS, RunBounds, timer_problem
from .dmn import cell_as_expression, is_any_cell
from .errors import Problem
from .reserved import PROCESS_NAMES, is_reserved
from .sandbox import check_expression, check_script
from .xmlsafe import element_lines

# The service moves reporter_* fields out of case data (confidential); a process must never read them.
_RESERVED = re.compile(r'\breporter_[A-Za-z0-9_]*')

BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core'
NS = {'bpmn': BPMN_NS, 'spiffworkflow': SPIFF_NS}

ROLES = frozenset({'intake', 'handler', 'supervisor', 'leader', 'committee', 'designer', 'auditor', 'admin'})
# What a human task's `role` may name: a position relative to the case (service/cases/org/positions.py
# TASK_POSITIONS, kept in step by tests/org/test_position_picker.py) or one of the first cut's role names.
TASK_ROLES = ROLES | frozenset({'dept_member', 'dept_head', 'deputy', 'principal', 'case_management', 'review'})

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
    # a sub-process's own links and loop marker are children of the scope it opens
    'incoming', 'outgoing', 'multiInstanceLoopCharacteristics', 'standardLoopCharacteristics',
})
# Flow nodes where a run stops until a person, a timer or a message moves it on. A sub-process waits
# when something inside it does; a call activity counts as waiting (its process is checked on its own
# and the run bound stops it at run time).
WAIT_NODES = frozenset({'userTask', 'manualTask', 'receiveTask', 'intermediateCatchEvent', 'eventBasedGateway',
                        'boundaryEvent', 'callActivity'})
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

    def __init__(self, name: str, root: etree._Element, forms: dict[str, dict], form_problems: set[str],
                 bounds: RunBounds | None = None):
        """`bounds`: also refuse what would stall the engine (deploy and check); None skips those checks,
        for versions that are already deployed."""
        self.name, self.root, self.forms, self.form_problems = name, root, forms, form_problems
        self.bounds = bounds
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
        if self.bounds is not None:
            self._timers()
        return self.problems

    def _timers(self) -> None:
        """Timer values written as literals must be sane (run-time values are checked by the engine)."""
        for kind in TIMER_KINDS:
            for el in self.root.iter(f'{{{BPMN_NS}}}{kind}'):
                try:
                    value = ast.literal_eval((el.text or '').strip())
                except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
                    continue   # an expression: its value is checked when the engine evaluates it
                problem = timer_problem(kind, value, self.bounds)
                if problem:
                    self.add(self._owner_id(el), f"定时器 {kind} 不被接受: {problem}")

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
            elif role not in TASK_ROLES:
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
        if self.bounds is not None:
            self._waitless_cycles(nodes, outgoing)
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
    def _waits(node: etree._Element) -> bool:
        kind = local(node)
        if kind in WAIT_NODES:
            return True
        if kind in ('subProcess', 'transaction'):
            return any(local(el) in WAIT_NODES for el in node.iterdescendants() if isinstance(el.tag, str))
        return False

    def _waitless_cycles(self, nodes: dict, outgoing: dict) -> None:
        """Refuse a loop of sequence flows through nodes none of which waits: one run would never end."""
        graph = {node_id: [f.get('targetRef') for f in outgoing[node_id] if f.get('targetRef') in nodes
                           and not self._waits(nodes[f.get('targetRef')])]
                 for node_id, node in nodes.items() if not self._waits(node)}
        for component in strongly_connected(graph):
            if len(component) > 1 or component[0] in graph[component[0]]:
                order = {node_id: index for index, node_id in enumerate(nodes)}   # document order
                ordered = sorted(component, key=order.__getitem__)
                self.add(ordered[0], "循环中没有等待环节 (用户任务、定时器或消息)，流程会无休止地自动运行: "
                                     + " → ".join(ordered))

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


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iterative (no recursion limit on large processes)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(component)
    return out


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
        for out in table.iterfind('{*}output'):
            if out.get('name') not in PROCESS_NAMES and is_reserved(out.get('name') or ''):
                add(out, f"输出列不能写入引擎保留名称 {out.get('name')}")
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
