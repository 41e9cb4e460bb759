"""tools.bpmn_layout: computed diagram interchange for semantic BPMN files."""

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from tools.bpmn_layout import BPMN, BPMNDI, DC, DI, LayoutError, layout_bytes, layout_file, main

NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}
KEY = "layout_demo"

SOURCE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- 示例 -->
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_{KEY}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{KEY}" name="布局示例" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_intake" name="受理">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>prepare</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>notify</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_leader" name="领导">
        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gw_decision</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_done</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>timer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>escalate</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_escalated</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始">
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="prepare" name="拟办意见">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="role" value="handler"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:incoming>f_return</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve" name="领导审批">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_decision" name="是否同意？" default="f_return">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f_ok</bpmn:outgoing>
      <bpmn:outgoing>f_return</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:scriptTask id="notify" name="通知">
      <bpmn:incoming>f_ok</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>outcome = '予以了结'</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end_done" name="办结">
      <bpmn:incoming>f4</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:boundaryEvent id="timer" name="超时" attachedToRef="approve">
      <bpmn:outgoing>f_timeout</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDef_1">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'PT1H'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:manualTask id="escalate" name="督办">
      <bpmn:incoming>f_timeout</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="end_escalated">
      <bpmn:incoming>f5</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="approve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="gw_decision"/>
    <bpmn:sequenceFlow id="f_ok" name="同意" sourceRef="gw_decision" targetRef="notify">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == 'approve'
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_return" name="退回修改" sourceRef="gw_decision" targetRef="prepare"/>
    <bpmn:sequenceFlow id="f4" sourceRef="notify" targetRef="end_done"/>
    <bpmn:sequenceFlow id="f_timeout" sourceRef="timer" targetRef="escalate"/>
    <bpmn:sequenceFlow id="f5" sourceRef="escalate" targetRef="end_escalated"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="Old">
    <bpmndi:BPMNPlane id="OldPlane" bpmnElement="{KEY}"/>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def laid_out() -> bytes:
    return layout_bytes(SOURCE.encode())


def _bounds(plane, ref):
    (b,) = plane.xpath(f"bpmndi:BPMNShape[@bpmnElement='{ref}']/dc:Bounds", namespaces=NS)
    return tuple(int(b.get(a)) for a in ("x", "y", "width", "height"))


def test_every_node_and_flow_has_one_di_element(laid_out):
    root = etree.fromstring(laid_out)
    (diagram,) = root.findall("bpmndi:BPMNDiagram", NS)
    plane = diagram.find("bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == f"Collaboration_{KEY}"
    process = root.find("bpmn:process", NS)
    flows = [f.get("id") for f in process.findall("bpmn:sequenceFlow", NS)]
    nodes = [el.get("id") for el in process if el.get("id") and el.tag.split("}")[1] not in
             ("laneSet", "sequenceFlow")]
    refs = [el.get("bpmnElement") for el in plane]
    for ref in nodes + flows + ["Lane_intake", "Lane_leader", f"Participant_{KEY}"]:
        assert refs.count(ref) == 1, ref
    for flow in flows:
        (edge,) = plane.xpath(f"bpmndi:BPMNEdge[@bpmnElement='{flow}']", namespaces=NS)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False))


def test_collaboration_and_semantics(laid_out):
    root = etree.fromstring(laid_out)
    children = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert children == ["collaboration", "process", "BPMNDiagram"]
    (participant,) = root.xpath("bpmn:collaboration/bpmn:participant", namespaces=NS)
    assert participant.attrib == {"id": f"Participant_{KEY}", "name": "布局示例", "processRef": KEY}
    pool = root.xpath(f"//bpmndi:BPMNShape[@bpmnElement='Participant_{KEY}']", namespaces=NS)[0]
    assert pool.get("isHorizontal") == "true"
    original = etree.fromstring(SOURCE.encode()).find("bpmn:process", NS)
    assert _same_semantics(original, root.find("bpmn:process", NS))


def _same_semantics(a, b) -> bool:
    def norm(el):
        return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in el.iter() if isinstance(e.tag, str)]

    return norm(a) == norm(b)


def test_lane_nodes_inside_their_lane_and_boundary_on_host(laid_out):
    root = etree.fromstring(laid_out)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    lanes = root.findall("bpmn:process/bpmn:laneSet/bpmn:lane", NS)
    ys = [_bounds(plane, lane.get("id"))[1] for lane in lanes]
    assert ys == sorted(ys)  # stacked in laneSet order
    for lane in lanes:
        lx, ly, lw, lh = _bounds(plane, lane.get("id"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = _bounds(plane, ref.text)
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, ref.text
    hx, hy, hw, hh = _bounds(plane, "approve")
    tx, ty, tw, th = _bounds(plane, "timer")
    assert ty + th // 2 == hy + hh and hx <= tx + tw // 2 <= hx + hw
    # the return flow goes back: prepare is left of the gateway
    assert _bounds(plane, "prepare")[0] < _bounds(plane, "gw_decision")[0]


def test_idempotent_and_preserves_text(laid_out):
    assert layout_bytes(laid_out) == laid_out
    text = laid_out.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- 示例 -->\n<bpmn:definitions ')
    assert "领导审批" in text and "&#" not in text
    assert "<spiffworkflow:property " in text and 'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"' in text
    assert "\n    <bpmn:startEvent " in text  # 2-space indentation


def test_spiff_parser_loads_laid_out_file(tmp_path, laid_out):
    path = tmp_path / f"{KEY}.bpmn"
    path.write_bytes(SOURCE.encode())
    assert main([str(path)]) == 0
    assert path.read_bytes() == laid_out
    assert layout_file(path) is False
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(path))
    spec = parser.get_spec(KEY)
    assert spec.name == KEY
    assert {"prepare", "approve", "gw_decision", "timer", "escalate"} <= set(spec.task_specs)


def test_without_lanes_plane_is_the_process():
    src = SOURCE.split("<bpmn:laneSet")[0] + SOURCE.split("</bpmn:laneSet>")[1]
    root = etree.fromstring(layout_bytes(src.encode()))
    assert root.find("bpmn:collaboration", NS) is None
    assert root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS).get("bpmnElement") == KEY


def test_doctype_refused():
    evil = SOURCE.replace("<!-- 示例 -->", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    with pytest.raises(LayoutError):
        layout_bytes(evil.encode())


def test_node_in_no_lane_gets_its_own_band_inside_the_pool():
    src = SOURCE.replace("<bpmn:flowNodeRef>notify</bpmn:flowNodeRef>", "")
    root = etree.fromstring(layout_bytes(src.encode()))
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    px, py, pw, ph = _bounds(plane, f"Participant_{KEY}")
    lx, ly, lw, lh = _bounds(plane, "Lane_leader")
    x, y, w, h = _bounds(plane, "notify")
    assert y >= ly + lh and y + h <= py + ph and px <= x and x + w <= px + pw
