"""Give a semantic BPMN file a computed diagram (bpmndi) so bpmn-js can draw it.

Usage: ``python -m tools.bpmn_layout FILE.bpmn [...]`` rewrites each file in place.

Semantics are kept as they are; an existing ``bpmndi:BPMNDiagram`` is replaced. When the process has
lanes and the file has no ``bpmn:collaboration``, one with a single participant is added so bpmn-js
draws a pool with horizontal lanes. Layout: longest-path layering over the sequence flows (back edges
found by DFS are ignored for layering) gives the column, the lane gives the band, nodes of one lane
sharing a column get distinct rows; boundary events sit on the bottom edge of their host; edges are
orthogonal, back edges are routed above their nodes. Output is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_NAMESPACES = {"bpmndi": BPMNDI, "dc": DC, "di": DI}

TASK, EVENT, GATEWAY = (100, 80), (36, 36), (50, 50)
ACTIVITIES = {"task", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
POOL_X, POOL_Y, HEADER = 120, 60, 30  # participant origin and its label strip
COL_W, ROW_H, CENTER_DY = 150, 150, 70  # column pitch, row pitch, node centre below row top
FIRST_CX = POOL_X + HEADER + 30 + TASK[0] // 2
BACK_GAP = 6  # vertical spacing between stacked back-edge channels


class LayoutError(ValueError):
    pass


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def node_size(kind: str) -> tuple[int, int]:
    if kind.endswith("Event"):
        return EVENT
    if kind.endswith("Gateway"):
        return GATEWAY
    return TASK


def is_flow_node(el) -> bool:
    if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN:
        return False
    kind = _local(el)
    return kind in ACTIVITIES or kind.endswith(("Task", "Event", "Gateway"))


def parse(data: bytes) -> etree._ElementTree:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True, huge_tree=False
    )
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise LayoutError("DOCTYPE / entity declarations are not allowed")
    tree = etree.ElementTree(etree.fromstring(data, parser))  # noqa: S320 - hardened parser above
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise LayoutError("DOCTYPE is not allowed")
    return tree


def _with_di_namespaces(tree: etree._ElementTree) -> etree._Element:
    """Make sure the root declares bpmndi/dc/di (lxml cannot add a prefix to an existing element)."""
    root = tree.getroot()
    known = set(root.nsmap.values())
    extra = {p: u for p, u in DI_NAMESPACES.items() if u not in known and p not in root.nsmap}
    if not extra:
        return root
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={**root.nsmap, **extra})
    new.text = root.text
    for child in list(root):
        new.append(child)
    before = list(root.itersiblings(preceding=True))[::-1]
    after = list(root.itersiblings())
    tree._setroot(new)
    for sib in before:
        new.addprevious(sib)
    for sib in reversed(after):
        new.addnext(sib)
    return new


class _Box:
    __slots__ = ("x", "y", "w", "h")

    def __init__(self, cx: int, cy: int, size: tuple[int, int]):
        self.w, self.h = size
        self.x, self.y = cx - self.w // 2, cy - self.h // 2

    cx = property(lambda s: s.x + s.w // 2)
    cy = property(lambda s: s.y + s.h // 2)
    right = property(lambda s: s.x + s.w)
    bottom = property(lambda s: s.y + s.h)


def layer_nodes(order: list[str], edges: list[tuple[str, str]]) -> tuple[dict[str, int], set[int]]:
    """Longest-path layers over ``edges`` minus the DFS back edges; returns (layer, back edge indexes)."""
    succ: dict[str, list[tuple[int, str]]] = {n: [] for n in order}
    has_in = set()
    for i, (s, t) in enumerate(edges):
        succ[s].append((i, t))
        if s != t:
            has_in.add(t)
    state: dict[str, int] = {}  # 1 = on stack, 2 = done
    back: set[int] = set()
    roots = [n for n in order if n not in has_in] + order
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            for i, t in it:
                if state.get(t) == 1:
                    back.add(i)
                elif t not in state:
                    state[t] = 1
                    stack.append((t, iter(succ[t])))
                    break
            else:
                state[node] = 2
                stack.pop()
    indeg = {n: 0 for n in order}
    for i, (_s, t) in enumerate(edges):
        if i not in back:
            indeg[t] += 1
    layer = {n: 0 for n in order}
    ready = [n for n in order if indeg[n] == 0]
    pos = {n: k for k, n in enumerate(order)}
    while ready:
        ready.sort(key=pos.__getitem__)
        node = ready.pop(0)
        for i, t in succ[node]:
            if i in back:
                continue
            layer[t] = max(layer[t], layer[node] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    return layer, back


def _route(s: _Box, t: _Box, s_kind: str, back: bool, channel: int) -> list[tuple[int, int]]:
    if s_kind == "boundaryEvent":
        if back or t.cy < s.bottom:  # drop below the host first, then travel
            y = channel if back else s.bottom + 12
            tx = t.cx if back else (s.cx + t.x) // 2
            end = [(t.cx, t.bottom)] if back else [(tx, t.cy), (t.x, t.cy)]
            return [(s.cx, s.bottom), (s.cx, y), (tx, y), *end]
        return [(s.cx, s.bottom), (s.cx, t.cy), (t.x, t.cy)]
    if back:
        if s is t:
            return [(s.cx + 15, s.y), (s.cx + 15, channel), (s.cx - 15, channel), (s.cx - 15, s.y)]
        return [(s.cx, s.y), (s.cx, channel), (t.cx, channel), (t.cx, t.y)]
    if s.cy == t.cy:
        return [(s.right, s.cy), (t.x, t.cy)]
    if s_kind.endswith("Gateway"):
        return [(s.cx, s.y if t.cy < s.cy else s.bottom), (s.cx, t.cy), (t.x, t.cy)]
    mx = (s.right + t.x) // 2
    return [(s.right, s.cy), (mx, s.cy), (mx, t.cy), (t.x, t.cy)]


def layout_tree(tree: etree._ElementTree) -> None:
    root = _with_di_namespaces(tree)
    if _local(root) != "definitions" or etree.QName(root).namespace != BPMN:
        raise LayoutError("root element is not bpmn:definitions")
    processes = root.findall(_q(BPMN, "process"))
    if len(processes) != 1:
        raise LayoutError(f"expected exactly one bpmn:process, found {len(processes)}")
    process = processes[0]
    key = process.get("id")
    lanes = process.findall(f"{_q(BPMN, 'laneSet')}/{_q(BPMN, 'lane')}")

    collaboration = root.find(_q(BPMN, "collaboration"))
    if collaboration is None and lanes:
        collaboration = etree.Element(_q(BPMN, "collaboration"), id=f"Collaboration_{key}")
        participant = etree.SubElement(collaboration, _q(BPMN, "participant"), id=f"Participant_{key}")
        if process.get("name"):
            participant.set("name", process.get("name"))
        participant.set("processRef", key)
        process.addprevious(collaboration)
    participant = None
    if collaboration is not None:
        participant = next(
            (p for p in collaboration.iter(_q(BPMN, "participant")) if p.get("processRef") == key), None
        )

    nodes = [el for el in process if is_flow_node(el)]
    kind = {el.get("id"): _local(el) for el in nodes}
    boundary = {el.get("id"): el.get("attachedToRef") for el in nodes if _local(el) == "boundaryEvent"}
    main = [el.get("id") for el in nodes if el.get("id") not in boundary]
    flows = [f for f in process.findall(_q(BPMN, "sequenceFlow")) if f.get("sourceRef") in kind]
    flows = [f for f in flows if f.get("targetRef") in kind]

    def anchor(n: str) -> str:  # a boundary event is laid out with its host
        return boundary.get(n) if boundary.get(n) in kind else n

    edges = [(anchor(f.get("sourceRef")), anchor(f.get("targetRef"))) for f in flows]
    layer, back = layer_nodes(main, edges)

    lane_of: dict[str, int] = {}
    for i, lane in enumerate(lanes):
        for ref in lane.findall(_q(BPMN, "flowNodeRef")):
            lane_of.setdefault((ref.text or "").strip(), i)
    band_count = len(lanes) + (1 if any(n not in lane_of for n in main) or not lanes else 0)
    band_of = {n: lane_of.get(n, len(lanes)) for n in main}

    # distinct rows for nodes of one band sharing a layer, ordered by their predecessors' rows
    preds: dict[str, list[str]] = {n: [] for n in main}
    for i, (s, t) in enumerate(edges):
        if i not in back and s != t:
            preds[t].append(s)
    row: dict[str, int] = {}
    pos = {n: k for k, n in enumerate(main)}
    for cell in sorted({(layer[n], band_of[n]) for n in main}):
        members = [n for n in main if (layer[n], band_of[n]) == cell]

        def weight(n: str) -> tuple[float, int]:
            near = [row[p] for p in preds[n] if p in row and band_of[p] == band_of[n]]
            return (sum(near) / len(near) if near else 0.0, pos[n])

        for r, n in enumerate(sorted(members, key=weight)):
            row[n] = r
    rows = [1] * band_count
    for n in main:
        rows[band_of[n]] = max(rows[band_of[n]], row[n] + 1)
    band_y = [POOL_Y]
    for b in range(band_count):
        band_y.append(band_y[-1] + rows[b] * ROW_H)

    box: dict[str, _Box] = {}
    for n in main:
        cy = band_y[band_of[n]] + row[n] * ROW_H + CENTER_DY
        box[n] = _Box(FIRST_CX + layer[n] * COL_W, cy, node_size(kind[n]))
    per_host: dict[str, list[str]] = {}
    for n, host in boundary.items():
        per_host.setdefault(host, []).append(n)
    for host, events in per_host.items():
        h = box.get(host)
        for i, n in enumerate(events):
            if h is None:  # dangling attachedToRef: park it at the far left
                box[n] = _Box(POOL_X + HEADER + 30, band_y[0] + CENTER_DY, EVENT)
            else:
                box[n] = _Box(h.x + (i + 1) * h.w // (len(events) + 1), h.bottom, EVENT)

    right = max([b.right for b in box.values()] + [FIRST_CX]) + 50
    for d in root.findall(_q(BPMNDI, "BPMNDiagram")):
        root.remove(d)
    diagram = etree.Element(_q(BPMNDI, "BPMNDiagram"), id=f"BPMNDiagram_{key}")
    plane_ref = collaboration.get("id") if collaboration is not None else key
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id=f"BPMNPlane_{key}", bpmnElement=plane_ref)

    def shape(ref: str, x: int, y: int, w: int, h: int, **extra: str) -> None:
        el = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"{ref}_di", bpmnElement=ref, **extra)
        etree.SubElement(el, _q(DC, "Bounds"), x=str(x), y=str(y), width=str(w), height=str(h))

    if participant is not None:
        shape(participant.get("id"), POOL_X, POOL_Y, right - POOL_X, band_y[-1] - POOL_Y, isHorizontal="true")
    for i, lane in enumerate(lanes):
        lx = POOL_X + HEADER
        shape(lane.get("id"), lx, band_y[i], right - lx, band_y[i + 1] - band_y[i], isHorizontal="true")
    for el in nodes:
        n, b = el.get("id"), box[el.get("id")]
        extra = {"isMarkerVisible": "true"} if kind[n] == "exclusiveGateway" else {}
        shape(n, b.x, b.y, b.w, b.h, **extra)

    channels: dict[int, int] = {}  # back-edge channel per band row top, stacked
    for i, f in enumerate(flows):
        s, t = f.get("sourceRef"), f.get("targetRef")
        sb, tb = box[s], box[t]
        is_back = i in back
        channel = 0
        if is_back and kind[s] == "boundaryEvent":
            channel = max(sb.bottom, tb.bottom) + 12
        elif is_back:
            top = min(sb.y, tb.y)
            k = channels[top] = channels.get(top, -1) + 1
            channel = top - 14 - k * BACK_GAP
        fid = f.get("id")
        edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=f"{fid}_di", bpmnElement=fid)
        for x, y in _route(sb, tb, kind[s], is_back, channel):
            etree.SubElement(edge, _q(DI, "waypoint"), x=str(x), y=str(y))

    relationship = root.find(_q(BPMN, "relationship"))
    if relationship is not None:
        relationship.addprevious(diagram)
    else:
        root.append(diagram)


def layout_bytes(data: bytes) -> bytes:
    tree = parse(data)
    layout_tree(tree)
    root = tree.getroot()
    etree.indent(root, space="  ")
    top = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    body = b"\n".join(etree.tostring(el, encoding="UTF-8", with_tail=False) for el in top)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def layout_file(path: str | Path) -> bool:
    """Lay out one file in place; returns True when its bytes changed."""
    p = Path(path)
    old = p.read_bytes()
    new = layout_bytes(old)
    if new != old:
        p.write_bytes(new)
    return new != old


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m tools.bpmn_layout FILE.bpmn [...]", file=sys.stderr)
        return 2
    status = 0
    for name in args:
        try:
            changed = layout_file(name)
        except (OSError, etree.XMLSyntaxError, LayoutError) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {'laid out' if changed else 'unchanged'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
