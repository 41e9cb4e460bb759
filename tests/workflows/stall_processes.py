"""Processes that would stall the engine (issue 11 point 3), and harmless neighbours, as bundle files."""

from __future__ import annotations

from tests.workflows.bpmn_builder import bundle_files, flow, process, script_task, user_task

START = ('<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
         '<spiffworkflow:property name="start_roles" value="intake" />'
         '</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>\n')


def graph(nodes: str, edges: list[tuple[str, str] | tuple[str, str, str]]) -> dict[str, bytes]:
    """A process from node XML (plus the start event `start`) and (source, target[, condition]) edges;
    an edge whose condition is None is the gateway's default flow `back`."""
    ids = ['back' if len(edge) == 3 and edge[2] is None else f'f{i}' for i, edge in enumerate(edges)]
    body = START + nodes + ''.join(flow(fid, *edge) for fid, edge in zip(ids, edges, strict=True))
    return bundle_files(process(body))


GATEWAY = '<bpmn:exclusiveGateway id="g" default="back" /><bpmn:endEvent id="end" />\n'
SUB_SCRIPT = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="ss" />' + script_task('inner', 'k = 1')
              + '<bpmn:endEvent id="se" />' + flow('sf1', 'ss', 'inner') + flow('sf2', 'inner', 'se')
              + '</bpmn:subProcess>\n')
SUB_WAIT = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="ss" />' + user_task('inner')
            + '<bpmn:endEvent id="se" />' + flow('sf1', 'ss', 'inner') + flow('sf2', 'inner', 'se')
            + '</bpmn:subProcess>\n')

# Loops that never wait: one run would go round for ever (refused at check/deploy).
WAITLESS_LOOPS = {
    'script and gateway': graph(script_task('s', 'n = 1') + GATEWAY,
                                [('start', 's'), ('s', 'g'), ('g', 's', None), ('g', 'end', 'n > 5')]),
    'two scripts': graph(script_task('s', 'n = 1') + script_task('s2', 'm = 2') + GATEWAY,
                         [('start', 's'), ('s', 's2'), ('s2', 'g'), ('g', 's', None), ('g', 'end', 'n > 5')]),
    'script looping on itself': graph(script_task('s', 'n = 1') + '<bpmn:endEvent id="end" />',
                                      [('start', 's'), ('s', 's', 'n < 5'), ('s', 'end', 'n >= 5')]),
    'through a sub-process of scripts': graph(SUB_SCRIPT + GATEWAY,
                                              [('start', 'sub'), ('sub', 'g'), ('g', 'sub', None), ('g', 'end', 'n')]),
    'through a parallel split and join': graph(
        script_task('s', 'n = 1') + '<bpmn:parallelGateway id="fork" /><bpmn:parallelGateway id="join" />'
        + script_task('a', 'x = 1') + script_task('b', 'y = 1') + GATEWAY,
        [('start', 's'), ('s', 'fork'), ('fork', 'a'), ('fork', 'b'), ('a', 'join'), ('b', 'join'),
         ('join', 'g'), ('g', 's', None), ('g', 'end', 'n > 5')]),
}

# The same shapes with a wait state in the loop: accepted.
WAITING_LOOPS = {
    'user task in the loop': graph(script_task('s', 'n = 1') + user_task('w') + GATEWAY,
                                   [('start', 's'), ('s', 'w'), ('w', 'g'), ('g', 's', None), ('g', 'end', 'n > 5')]),
    'sub-process with a user task': graph(SUB_WAIT + GATEWAY,
                                          [('start', 'sub'), ('sub', 'g'), ('g', 'sub', None), ('g', 'end', 'n')]),
    'timer in the loop': graph(
        script_task('s', 'n = 1') + '<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        + GATEWAY, [('start', 's'), ('s', 'w'), ('w', 'g'), ('g', 's', None), ('g', 'end', 'n > 5')]),
}


def timer_on_task(kind: str, value: str, interrupting: bool = True) -> dict[str, bytes]:
    """A user task with a boundary timer `<kind>value</kind>` (value as written in the XML)."""
    cancel = 'true' if interrupting else 'false'
    body = (START + user_task('u') + '<bpmn:endEvent id="end" /><bpmn:endEvent id="late" />\n'
            f'<bpmn:boundaryEvent id="timer" attachedToRef="u" cancelActivity="{cancel}">'
            f'<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>'
            '</bpmn:boundaryEvent>\n' + flow('f0', 'start', 'u') + flow('f1', 'u', 'end') + flow('f2', 'timer', 'late'))
    return bundle_files(process(body))


def catch_timer(kind: str, value: str) -> dict[str, bytes]:
    """start -> intermediate timer `t` -> user task -> end."""
    return graph(f'<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}>'
                 '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' + user_task('u')
                 + '<bpmn:endEvent id="end" />', [('start', 't'), ('t', 'u'), ('u', 'end')])


SPIN = ('<bpmn:scriptTask id="spin" name="空转"><bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        '<bpmn:loopCardinality>n</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>\n')


def spin(count_script: str = 'n = 100000') -> dict[str, bytes]:
    """No loop in the graph: a sequential multi-instance script whose cardinality comes from data."""
    return graph(script_task('count', count_script) + SPIN + user_task('u') + '<bpmn:endEvent id="end" />',
                 [('start', 'count'), ('count', 'spin'), ('spin', 'u'), ('u', 'end')])


def with_script(script: str, props: dict | None = None) -> dict[str, bytes]:
    """start -> script `make` -> user task `u` (with `props`) -> end."""
    return graph(script_task('make', script) + user_task('u', props=props) + '<bpmn:endEvent id="end" />',
                 [('start', 'make'), ('make', 'u'), ('u', 'end')])
