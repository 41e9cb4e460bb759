"""Give a semantic BPMN file a computed diagram (bpmndi) so bpmn-js can draw it.

Usage: ``python -m tools.bpmn_layout FILE.bpmn [...]`` rewrites each file in place.

Semantics are kept as they are; an existing ``bpmndi:BPMNDiagram`` is replaced. When the process has
lanes and the file has no ``bpmn:collaboration``, one with a single participant is added so bpmn-js
draws a pool with horizontal lanes. Layout: longest-path layering over the sequence flows (back edges
found by DFS are ignored for layering) gives the column, the lane gives the band, nodes of one lane
sharing a column get distinct rows; boundary events sit on the bottom edge of their host. Flows are
orthogonal and run only through the gaps between columns and between rows (each on its own track), so no
flow crosses a box; labels of flows, events and gateways get explicit bounds, placed where they overlap no
box and no other label (``check`` says where a diagram breaks either rule). Output is deterministic.
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
COL_W, ROW_H, CENTER_DY = 230, 180, 75  # column pitch, row pitch, node centre below row top
FIRST_CX = POOL_X + HEADER + COL_W - TASK[0] // 2  # a full column gap left of the first column, for routes
V_PITCH, H_PITCH = 9, 7  # spacing of parallel flow tracks in a column gap / row gap
LABEL_FONT, LABEL_WRAP, LINE_H = 11, 90, 14  # bpmn-js external labels: 11 px, wrapped at 90 px


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


class _Tracks:
    """Distinct parallel tracks inside a channel (a gap between columns or between rows)."""

    def __init__(self, start: int, size: int, pitch: int):
        self.start, self.count, self.pitch = start, max(1, size // pitch - 1), pitch
        self.used = 0

    def take(self) -> int:
        k = self.used % self.count
        self.used += 1
        return self.start + self.pitch * (k + 1)


def text_width(text: str) -> float:
    """Approximate width in px of `text` in bpmn-js's 11 px label font (CJK and full-width glyphs are square)."""
    return sum(LABEL_FONT if ord(ch) > 0x2E7F else LABEL_FONT * 0.6 for ch in text)


def label_size(text: str) -> tuple[int, int]:
    """The box bpmn-js fills with an external label: wrapped at 90 px, one 14 px line per row."""
    width = text_width(text)
    lines = max(1, -(-int(width) // LABEL_WRAP))
    return (min(int(width) + 4, LABEL_WRAP + 4), lines * LINE_H + 2)


Rect = tuple[int, int, int, int]  # x, y, w, h


def overlaps(a: Rect, b: Rect, margin: int = 0) -> bool:
    return (a[0] < b[0] + b[2] + margin and b[0] < a[0] + a[2] + margin
            and a[1] < b[1] + b[3] + margin and b[1] < a[1] + a[3] + margin)


def segment_crosses(p: tuple[int, int], q: tuple[int, int], r: Rect) -> bool:
    """Whether the axis-parallel segment p–q passes through the interior of rectangle r."""
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((p[1], q[1]))
    return x0 < r[0] + r[2] and r[0] < x1 and y0 < r[1] + r[3] and r[1] < y1 if x0 != x1 and y0 != y1 else (
        max(x0, r[0]) < min(x1, r[0] + r[2]) and r[1] < y0 < r[1] + r[3] if y0 == y1 else
        max(y0, r[1]) < min(y1, r[1] + r[3]) and r[0] < x0 < r[0] + r[2])


def _route(source: str, target: str, s_kind: str, grid: dict) -> list[tuple[int, int]]:
    """Orthogonal route that runs only through the gaps between columns and rows, so it never crosses a box:
    out of the source's right side (a boundary event: down from its bottom), along a row gap, into the
    target's left side."""
    s, t = grid["box"][source], grid["box"][target]
    sc, sr, tc, tr = grid["col"][source], grid["row"][source], grid["col"][target], grid["row"][target]
    vgap, hgap, free = grid["vgap"], grid["hgap"], grid["row_free"]
    if s_kind == "boundaryEvent":
        y = hgap(sr).take()
        x2 = vgap(tc - 1).take()
        return [(s.cx, s.bottom), (s.cx, y), (x2, y), (x2, t.cy), (t.x, t.cy)]
    if tc > sc and s.cy == t.cy and free(sr, sc, tc):
        return [(s.right, s.cy), (t.x, t.cy)]
    x1 = vgap(sc).take()
    if tc == sc + 1:
        return [(s.right, s.cy), (x1, s.cy), (x1, t.cy), (t.x, t.cy)]
    y = hgap(sr if tr >= sr else sr - 1).take()
    x2 = vgap(tc - 1).take()
    return [(s.right, s.cy), (x1, s.cy), (x1, y), (x2, y), (x2, t.cy), (t.x, t.cy)]


def _label_candidates(route: list[tuple[int, int]], size: tuple[int, int]):
    """Places for a flow's label along its segments, longest segments first, beside the line."""
    w, h = size
    segments = sorted(zip(route, route[1:], strict=False),
                      key=lambda pq: -(abs(pq[0][0] - pq[1][0]) + abs(pq[0][1] - pq[1][1])))
    for p, q in segments:
        length = abs(p[0] - q[0]) + abs(p[1] - q[1])
        for frac in (0.5, 0.3, 0.7, 0.15, 0.85):
            x, y = p[0] + (q[0] - p[0]) * frac, p[1] + (q[1] - p[1]) * frac
            if p[1] == q[1] and length >= w * 0.6:
                yield (int(x - w / 2), int(y - h - 3), w, h)
                yield (int(x - w / 2), int(y + 3), w, h)
            elif p[0] == q[0] and length >= h:
                yield (int(x + 4), int(y - h / 2), w, h)
                yield (int(x - w - 4), int(y - h / 2), w, h)


def _node_label_candidates(b: _Box, size: tuple[int, int]):
    w, h = size
    yield (b.cx - w // 2, b.bottom + 4, w, h)
    yield (b.cx - w // 2, b.y - h - 4, w, h)
    yield (b.right + 4, b.cy - h // 2, w, h)
    yield (b.x - w - 4, b.cy - h // 2, w, h)
    yield (b.right + 4, b.bottom + 2, w, h)
    yield (b.x - w - 4, b.bottom + 2, w, h)


class _Labels:
    """Greedy label placement: the first candidate that overlaps no box and no placed label (and, if one
    exists, crosses no flow line)."""

    def __init__(self, boxes: dict[str, _Box], routes: dict[str, list[tuple[int, int]]]):
        self.boxes = {k: (b.x, b.y, b.w, b.h) for k, b in boxes.items()}
        self.routes = routes
        self.placed: list[Rect] = []

    def place(self, owner: str, candidates: list[Rect], own: set[str]) -> Rect:
        def clear(r: Rect, strict: bool) -> bool:
            if any(overlaps(r, b, 2) for k, b in self.boxes.items() if k not in own or k == owner):
                return False
            if any(overlaps(r, p, 2) for p in self.placed):
                return False
            return not strict or not any(segment_crosses(p, q, r) for k, route in self.routes.items()
                                         if k != owner for p, q in zip(route, route[1:], strict=False))
        for strict in (True, False):
            for r in candidates:
                if clear(r, strict):
                    self.placed.append(r)
                    return r
        r = candidates[0]
        self.placed.append(r)
        return r


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
    name = {el.get("id"): (el.get("name") or "").strip() for el in nodes}
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
    first_row = [sum(rows[:b]) for b in range(band_count)]  # global row index of each band's first row

    box: dict[str, _Box] = {}
    col: dict[str, int] = {}
    grow: dict[str, int] = {}
    for n in main:
        cy = band_y[band_of[n]] + row[n] * ROW_H + CENTER_DY
        box[n] = _Box(FIRST_CX + layer[n] * COL_W, cy, node_size(kind[n]))
        col[n], grow[n] = layer[n], first_row[band_of[n]] + row[n]
    per_host: dict[str, list[str]] = {}
    for n, host in boundary.items():
        per_host.setdefault(host, []).append(n)
    for host, events in per_host.items():
        h = box.get(host)
        for i, n in enumerate(events):
            if h is None:  # dangling attachedToRef: park it at the far left
                box[n] = _Box(POOL_X + HEADER + 30, band_y[0] + CENTER_DY, EVENT)
                col[n], grow[n] = 0, 0
            else:
                box[n] = _Box(h.x + (i + 1) * h.w // (len(events) + 1), h.bottom, EVENT)
                col[n], grow[n] = col[host], grow[host]

    occupied = {(grow[n], col[n]) for n in main}
    vtracks: dict[int, _Tracks] = {}
    htracks: dict[int, _Tracks] = {}

    def vgap(c: int) -> _Tracks:  # the gap right of column c (c = -1: left of the first column)
        if c not in vtracks:
            left = FIRST_CX + c * COL_W + TASK[0] // 2
            vtracks[c] = _Tracks(left, COL_W - TASK[0], V_PITCH)
        return vtracks[c]

    def hgap(r: int) -> _Tracks:  # the gap below global row r (r = -1: above the first row)
        if r not in htracks:
            top = POOL_Y + (r + 1) * ROW_H + CENTER_DY - TASK[1] // 2  # the next row's box tops
            bottom = POOL_Y + r * ROW_H + CENTER_DY + TASK[1] // 2 + EVENT[1] // 2  # below boundary events
            htracks[r] = _Tracks(bottom if r >= 0 else POOL_Y, top - (bottom if r >= 0 else POOL_Y), H_PITCH)
        return htracks[r]

    def row_free(r: int, c0: int, c1: int) -> bool:
        return not any((r, c) in occupied for c in range(c0 + 1, c1))

    grid = {"box": box, "col": col, "row": grow, "vgap": vgap, "hgap": hgap, "row_free": row_free}
    routes: dict[str, list[tuple[int, int]]] = {}
    for f in flows:
        s = f.get("sourceRef")
        routes[f.get("id")] = _route(s, f.get("targetRef"), kind[s], grid)

    labels = _Labels(box, routes)
    label_at: dict[str, Rect] = {}
    for n in [el.get("id") for el in nodes]:
        if name[n] and not _is_activity(kind[n]):
            own = {n}
            label_at[n] = labels.place(n, list(_node_label_candidates(box[n], label_size(name[n]))), own)
    for f in flows:
        text = (f.get("name") or "").strip()
        if text:
            fid = f.get("id")
            own = {f.get("sourceRef"), f.get("targetRef")}
            label_at[fid] = labels.place(fid, list(_label_candidates(routes[fid], label_size(text))), own)

    right = max([b.right for b in box.values()] + [r[0] + r[2] for r in label_at.values()] + [FIRST_CX]) + 50
    bottom = max([band_y[-1]] + [r[1] + r[3] + 10 for r in label_at.values()]
                 + [y + 10 for route in routes.values() for _x, y in route])
    band_y[-1] = bottom
    for d in root.findall(_q(BPMNDI, "BPMNDiagram")):
        root.remove(d)
    diagram = etree.Element(_q(BPMNDI, "BPMNDiagram"), id=f"BPMNDiagram_{key}")
    plane_ref = collaboration.get("id") if collaboration is not None else key
    plane = etree.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), id=f"BPMNPlane_{key}", bpmnElement=plane_ref)

    def label(parent, ref: str) -> None:
        if ref in label_at:
            x, y, w, h = label_at[ref]
            lab = etree.SubElement(parent, _q(BPMNDI, "BPMNLabel"))
            etree.SubElement(lab, _q(DC, "Bounds"), x=str(x), y=str(y), width=str(w), height=str(h))

    def shape(ref: str, x: int, y: int, w: int, h: int, **extra: str) -> None:
        el = etree.SubElement(plane, _q(BPMNDI, "BPMNShape"), id=f"{ref}_di", bpmnElement=ref, **extra)
        etree.SubElement(el, _q(DC, "Bounds"), x=str(x), y=str(y), width=str(w), height=str(h))
        label(el, ref)

    if participant is not None:
        shape(participant.get("id"), POOL_X, POOL_Y, right - POOL_X, band_y[-1] - POOL_Y, isHorizontal="true")
    for i, lane in enumerate(lanes):
        lx = POOL_X + HEADER
        shape(lane.get("id"), lx, band_y[i], right - lx, band_y[i + 1] - band_y[i], isHorizontal="true")
    for el in nodes:
        n, b = el.get("id"), box[el.get("id")]
        extra = {"isMarkerVisible": "true"} if kind[n] == "exclusiveGateway" else {}
        shape(n, b.x, b.y, b.w, b.h, **extra)

    for f in flows:
        fid = f.get("id")
        edge = etree.SubElement(plane, _q(BPMNDI, "BPMNEdge"), id=f"{fid}_di", bpmnElement=fid)
        for x, y in routes[fid]:
            etree.SubElement(edge, _q(DI, "waypoint"), x=str(x), y=str(y))
        label(edge, fid)

    relationship = root.find(_q(BPMN, "relationship"))
    if relationship is not None:
        relationship.addprevious(diagram)
    else:
        root.append(diagram)


def _is_activity(kind: str) -> bool:
    return not kind.endswith(("Event", "Gateway"))


def check(tree: etree._ElementTree) -> list[str]:
    """Where a laid-out diagram is hard to read: a flow segment through a box that is not its source or
    target, a label over a box or over another label, a named flow, event or gateway without label bounds."""
    root = tree.getroot()
    process = root.find(_q(BPMN, "process"))
    if process is None:
        return []
    semantic = {el.get("id"): el for el in process if is_flow_node(el) or _local(el) == "sequenceFlow"}
    boxes: dict[str, Rect] = {}
    labels: dict[str, Rect] = {}
    waypoints: dict[str, list[tuple[float, float]]] = {}

    def bounds(el) -> Rect:
        return tuple(float(el.get(a)) for a in ("x", "y", "width", "height"))  # type: ignore[return-value]

    for di in root.iter(_q(BPMNDI, "BPMNShape"), _q(BPMNDI, "BPMNEdge")):
        ref = di.get("bpmnElement")
        if ref not in semantic:
            continue
        if _local(di) == "BPMNShape":
            boxes[ref] = bounds(di.find(_q(DC, "Bounds")))
        else:
            waypoints[ref] = [(float(w.get("x")), float(w.get("y"))) for w in di.findall(_q(DI, "waypoint"))]
        lab = di.find(f"{_q(BPMNDI, 'BPMNLabel')}/{_q(DC, 'Bounds')}")
        if lab is not None:
            labels[ref] = bounds(lab)
    problems = []
    for fid, points in waypoints.items():
        flow = semantic[fid]
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        for p, q in zip(points, points[1:], strict=False):
            for ref, r in boxes.items():
                if ref not in ends and segment_crosses(p, q, r):
                    problems.append(f"flow {fid} crosses {ref}")
    for ref, el in semantic.items():
        if (el.get("name") or "").strip() and not _is_activity(_local(el)) and ref not in labels:
            problems.append(f"{ref} has a name but no label bounds")
    placed = sorted(labels.items())
    for i, (ref, r) in enumerate(placed):
        for other, o in placed[i + 1:]:
            if overlaps(r, o):
                problems.append(f"label of {ref} overlaps label of {other}")
        for box_ref, b in boxes.items():
            if box_ref != ref and overlaps(r, b):
                problems.append(f"label of {ref} overlaps {box_ref}")
    return sorted(set(problems))


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
