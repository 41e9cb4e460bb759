"""The paths between a process's human steps, for process analytics (service/cases/stats/analytics.py).

A person's step (user task) is followed by the next person's step through gateways, scripts, rule tasks, events
and the step's own boundary events; `step_paths` names, for each (step, next step) pair — with `START` and `END`
for the process's start and end — the sequence flows such a passage may take. The service counts passages from
its work-item projection and lays them onto the flows, so a heat map never replays an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from .xmlsafe import parse_xml

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
START, END = "__start__", "__end__"
_PASS_THROUGH = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
                 "scriptTask", "businessRuleTask", "serviceTask", "task", "intermediateThrowEvent",
                 "intermediateCatchEvent", "sendTask", "receiveTask"}
MAX_VISITS = 20_000  # bound on the search of a pathological diagram


@dataclass(frozen=True)
class ProcessGraph:
    names: dict[str, str]                      # element id -> name (user tasks, flows, events)
    kinds: dict[str, str]                      # element id -> BPMN local name
    flows: dict[str, tuple[str, str]]          # flow id -> (source, target)
    paths: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)  # (step, next) -> flow ids

    @property
    def user_tasks(self) -> list[str]:
        return [i for i, k in self.kinds.items() if k == "userTask"]


def _local(element) -> str:
    return etree.QName(element).localname


def _walk(start: str, first: list[str], outgoing: dict, kinds: dict) -> dict[str, set[str]]:
    """{next step or END: flows on some path from `start`} following `first` flows, through pass-through nodes."""
    found: dict[str, set[str]] = {}
    stack = [(f, frozenset()) for f in first]
    visits = 0
    seen: set[tuple[str, frozenset]] = set()
    while stack and visits < MAX_VISITS:
        flow, taken = stack.pop()
        visits += 1
        taken = taken | {flow}
        target = outgoing["target"][flow]
        kind = kinds.get(target)
        if kind == "userTask":
            found.setdefault(target, set()).update(taken)
        elif kind == "endEvent":
            found.setdefault(END, set()).update(taken)
        elif kind in _PASS_THROUGH or kind == "boundaryEvent":
            for nxt in outgoing["from"].get(target, []):
                if (nxt, taken) not in seen and nxt not in taken:
                    seen.add((nxt, taken))
                    stack.append((nxt, taken))
    return found


def _graph(root) -> ProcessGraph:
    names, kinds, flows = {}, {}, {}
    boundaries: dict[str, list[str]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith("{" + _BPMN + "}") or not el.get("id"):
            continue
        kind, ident = _local(el), el.get("id")
        kinds[ident] = kind
        names[ident] = (el.get("name") or "").strip()
        if kind == "sequenceFlow":
            flows[ident] = (el.get("sourceRef"), el.get("targetRef"))
        elif kind == "boundaryEvent" and el.get("attachedToRef"):
            boundaries.setdefault(el.get("attachedToRef"), []).append(ident)
    outgoing = {"from": {}, "target": {f: t for f, (_s, t) in flows.items()}}
    for flow, (source, _target) in flows.items():
        outgoing["from"].setdefault(source, []).append(flow)
    paths: dict[tuple[str, str], frozenset[str]] = {}
    sources = [(START, i) for i, k in kinds.items() if k == "startEvent"] + \
              [(i, i) for i, k in kinds.items() if k == "userTask"]
    for step, node in sources:
        first = list(outgoing["from"].get(node, []))
        for boundary in boundaries.get(node, []):
            first += outgoing["from"].get(boundary, [])
        for nxt, taken in _walk(step, first, outgoing, kinds).items():
            paths[(step, nxt)] = paths.get((step, nxt), frozenset()) | frozenset(taken)
    return ProcessGraph(names, kinds, flows, paths)


@lru_cache(maxsize=64)
def step_paths(bpmn: bytes) -> ProcessGraph | None:
    """The graph of a BPMN file's steps (None when it does not parse)."""
    root, problems = parse_xml("process.bpmn", bpmn)
    return None if problems or root is None else _graph(root)
