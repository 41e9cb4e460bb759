"""Process analytics: each step's passages and times, and each flow's share of cases, equal plain-Python counts
over the generated work items laid onto the diagram's paths; the step graph of a diagram; need to know."""

from __future__ import annotations

from tests.stats.dataset import days, nearest_rank
from tests.stats.test_figures import NOW, data, login, select_rows, visible  # noqa: F401 - fixture
from workflows.graph import END, START, step_paths

KEY = "clue_handling"


def expected_passages(row) -> set[str]:
    pairs = set()
    for item in row.items:
        before = [i["completed_at"] for i in row.items
                  if i["completed_at"] is not None and i["completed_at"] <= item["created_at"]]
        latest = max(before) if before else None
        sources = [i["bpmn_id"] for i in row.items if latest is not None and i["completed_at"] == latest] or [START]
        pairs |= {f"{s}>{item['bpmn_id']}" for s in sources}
    if row.status == "completed":
        done = [i["completed_at"] for i in row.items if i["completed_at"] is not None]
        pairs |= {f"{i['bpmn_id']}>{END}" for i in row.items if done and i["completed_at"] == max(done)}
    return pairs


def test_steps_and_flows_equal_the_plain_counts(app, data):  # noqa: F811
    client = login(app, "supervisor")
    params = {"from": "2026-01-15"}
    body = client.get(f"/api/v1/stats/processes/{KEY}/analytics", query_string=params).json
    rows = [r for r in select_rows(visible(data["rows"], "supervisor"), params, data["departments"])
            if r.process_key == KEY]
    assert body["cases"]["value"] == len(rows) > 5
    assert client.get(body["cases"]["cases_url"]).json["total"] == len(rows)
    steps = {i["bpmn_id"] for r in rows for i in r.items}
    assert {e["id"] for e in body["elements"]} == steps
    for element in body["elements"]:
        done = [i for r in rows for i in r.items if i["bpmn_id"] == element["id"] and i["resolution"] == "completed"]
        spent = [days(i["created_at"], i["completed_at"]) for i in done]
        assert element["passages"] == len(done)
        assert element["cases"]["value"] == len({r.id for r in rows for i in r.items
                                                 if i["bpmn_id"] == element["id"] and i["resolution"] == "completed"})
        assert client.get(element["cases"]["cases_url"]).json["total"] == element["cases"]["value"]
        assert element["open"] == sum(1 for r in rows for i in r.items
                                      if i["bpmn_id"] == element["id"] and i["completed_at"] is None)
        assert element["median_days"] == (round(nearest_rank(spent, 50), 1) if spent else None)
        assert element["p90_days"] == (round(nearest_rank(spent, 90), 1) if spent else None)
    graph = step_paths(body["bpmn_xml"].encode("utf-8"))
    passages = {r.id: expected_passages(r) for r in rows}
    taken = 0
    for flow in body["flows"]:
        pairs = {f"{a}>{b}" for (a, b), flows in graph.paths.items() if flow["id"] in flows}
        want = sum(1 for p in passages.values() if p & pairs)
        assert flow["cases"] == want, flow
        taken += want > 0
    assert taken >= 5
    worst = sorted((e for e in body["elements"] if e["p90_days"] is not None), key=lambda e: (-e["p90_days"],
                                                                                             -e["passages"]))
    assert body["bottlenecks"] == [e["id"] for e in worst[:5]]


def test_an_outsider_gets_no_step_or_flow_of_hidden_cases(app, data):  # noqa: F811
    body = login(app, "reviewer").get(f"/api/v1/stats/processes/{KEY}/analytics").json
    assert body["cases"]["value"] == 0 and body["elements"] == []
    assert all(f["cases"] == 0 for f in body["flows"])


def test_an_unknown_process_or_version_is_404(app, data):  # noqa: F811
    client = login(app, "leader")
    assert client.get("/api/v1/stats/processes/nothing/analytics").status_code == 404
    assert client.get(f"/api/v1/stats/processes/{KEY}/analytics?version=9").status_code == 404
    assert client.get(f"/api/v1/stats/processes/{KEY}/analytics?version=1").json["all_versions"] is False


BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="a"/>
    <bpmn:userTask id="a" name="A"/><bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="g"/>
    <bpmn:exclusiveGateway id="g"/>
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="b"/><bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="c"/>
    <bpmn:userTask id="b"/><bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="e"/>
    <bpmn:scriptTask id="c"/><bpmn:sequenceFlow id="f5" sourceRef="c" targetRef="a"/>
    <bpmn:boundaryEvent id="t" attachedToRef="b"/><bpmn:sequenceFlow id="f6" sourceRef="t" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_the_step_graph_names_the_flows_between_people_steps():
    graph = step_paths(BPMN)
    assert graph.paths == {(START, "a"): {"f0"}, ("a", "b"): {"f1", "f2"}, ("a", "a"): {"f1", "f3", "f5"},
                           ("b", END): {"f4", "f6"}}
    assert sorted(graph.user_tasks) == ["a", "b"]
