"""Steps that can come straight back to themselves: a user task whose outgoing path reaches the same task again
through gateways, scripts, rule tasks or events only, with no other person's step in between.

Such a loop must say why on the way back: the name of a sequence flow on the loop is the reason a user reads
("材料不全，须补充后重新提交"). A contradiction or an incomplete submission is not a loop: it belongs in the form's
`x-checks` and is refused (422) before the engine runs. The service uses `self_loops` to tell a purposeful loop
(the page says why) from a submission the process silently sent back (refused, the form stays).
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from .xmlsafe import parse_xml

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Elements a path may pass through without a person acting (anything else ends the search).
_PASS_THROUGH = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
                 "scriptTask", "businessRuleTask", "serviceTask", "task", "intermediateThrowEvent"}


def _local(element) -> str:
    return etree.QName(element).localname


def _loops_of(root) -> dict[str, str]:
    kinds, flows = {}, {}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith("{" + _BPMN + "}") or not el.get("id"):
            continue
        kinds[el.get("id")] = _local(el)
        if _local(el) == "sequenceFlow":
            flows.setdefault(el.get("sourceRef"), []).append((el.get("targetRef"), (el.get("name") or "").strip()))
    found: dict[str, str] = {}
    for task, kind in kinds.items():
        if kind != "userTask":
            continue
        stack, seen = [(task, ())], set()
        while stack:
            node, names = stack.pop()
            for target, name in flows.get(node, []):
                path = names + ((name,) if name else ())
                if target == task:
                    reason = "；".join(dict.fromkeys(path))
                    found[task] = found.get(task) or reason
                elif target not in seen and kinds.get(target) in _PASS_THROUGH:
                    seen.add(target)
                    stack.append((target, path))
    return found


def self_loops(bpmn: bytes) -> dict[str, str]:
    """{user task id: the reason written on its loop ('' when none is)} for each task that can come back to itself."""
    root, problems = parse_xml("process.bpmn", bpmn)
    return {} if problems or root is None else _loops_of(root)


@lru_cache(maxsize=256)
def _loops_by_hash(sha256: str, bpmn: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(self_loops(bpmn).items()))


def bundle_loops(bundle) -> dict[str, str]:
    """`self_loops` of a process bundle's main BPMN file, computed once per version (content hash)."""
    main = bundle.files.get(f"{bundle.key}.bpmn", b"")
    return dict(_loops_by_hash(bundle.sha256, main))
