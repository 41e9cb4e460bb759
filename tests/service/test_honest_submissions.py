"""No success for a submission that was not accepted (issue 18, point 2): a contradiction is refused before the
engine (the form's x-checks, 422 naming the fields); a process that sends a step straight back to itself without
saying why has its submission refused (422, rolled back, the form stays); a loop that names its reason is accepted
and the page says why the step is back."""

from __future__ import annotations

import pytest

from service.cases import actions
from service.cases.errors import InvalidInput
from service.models import WorkItem
from tests.support.approval import REGISTER_DATA, approval_files, open_task_id
from workflows.loops import self_loops


def looping_files(reason: str = "") -> dict[str, bytes]:
    """The approval demo with a gateway after 提出处置意见 that sends 初步核实 straight back to it."""
    files = approval_files()
    xml = files["approval_demo.bpmn"].decode()
    name = f' name="{reason}"' if reason else ""
    xml = xml.replace('<bpmn:flowNodeRef>propose</bpmn:flowNodeRef>',
                      '<bpmn:flowNodeRef>propose</bpmn:flowNodeRef><bpmn:flowNodeRef>gw_check</bpmn:flowNodeRef>')
    xml = xml.replace('<bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f_return</bpmn:incoming>',
                      '<bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f_return</bpmn:incoming>'
                      '<bpmn:incoming>f_loop</bpmn:incoming>')
    xml = xml.replace('<bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>',
                      '<bpmn:incoming>f4b</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>')
    xml = xml.replace('<bpmn:sequenceFlow id="f4" sourceRef="propose" targetRef="approve"/>',
                      '<bpmn:exclusiveGateway id="gw_check" name="检查" default="f4b">'
                      '<bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f4b</bpmn:outgoing>'
                      '<bpmn:outgoing>f_loop</bpmn:outgoing></bpmn:exclusiveGateway>'
                      '<bpmn:sequenceFlow id="f4" sourceRef="propose" targetRef="gw_check"/>'
                      '<bpmn:sequenceFlow id="f4b" sourceRef="gw_check" targetRef="approve"/>'
                      f'<bpmn:sequenceFlow id="f_loop"{name} sourceRef="gw_check" targetRef="propose">'
                      "<bpmn:conditionExpression>disposal == '初步核实'</bpmn:conditionExpression>"
                      '</bpmn:sequenceFlow>')
    files["approval_demo.bpmn"] = xml.encode()
    return files


def registered(svc, users) -> int:
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的问题线索", {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    return case_id


def test_the_loop_finder_sees_a_step_that_comes_straight_back_and_the_reason_on_its_way():
    assert self_loops(looping_files()["approval_demo.bpmn"]) == {"propose": ""}
    named = looping_files("初步核实须先补充材料")["approval_demo.bpmn"]
    assert self_loops(named) == {"propose": "初步核实须先补充材料"}
    assert self_loops(approval_files()["approval_demo.bpmn"]) == {}      # a return through an approval is no loop


def test_the_shipped_processes_send_no_step_straight_back_to_itself_without_a_reason():
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[2] / "bpmn").glob("*.bpmn")):
        assert all(self_loops(path.read_bytes()).values()), path.name


def test_a_submission_sent_straight_back_without_a_reason_is_refused_and_nothing_moves(svc, users, deploy):
    deploy(looping_files())
    case_id = registered(svc, users)
    task_id = open_task_id(svc, case_id, "propose")
    with pytest.raises(InvalidInput) as refused:
        actions.complete_task(svc, users["handler"], task_id, {"disposal": "初步核实"})
    assert refused.value.code == "sent_back" and "没有向前推进" in refused.value.message
    assert open_task_id(svc, case_id, "propose") == task_id          # the same step, untouched (rolled back)
    with svc.db.read_session() as session:
        assert session.get(WorkItem, session.query(WorkItem.id).filter_by(task_id=task_id).scalar()).completed_at \
            is None
    actions.complete_task(svc, users["handler"], task_id, {"disposal": "予以了结"})
    assert open_task_id(svc, case_id, "approve") is not None


def test_the_api_answers_422_for_a_submission_sent_back(api, svc, users, deploy):
    deploy(looping_files())
    case_id = registered(svc, users)
    response = api("handler").post(f"/tasks/{open_task_id(svc, case_id, 'propose')}/complete",
                                   {"data": {"disposal": "初步核实"}})
    assert response.status_code == 422 and response.json["code"] == "sent_back"


def test_a_loop_that_names_its_reason_is_accepted_and_the_page_says_why(app, svc, users, deploy):
    from tests.web.conftest import Page

    deploy(looping_files("选择初步核实须先补充核查材料"))
    case_id = registered(svc, users)
    task_id = open_task_id(svc, case_id, "propose")
    handler = Page(app, "handler")
    form = handler.get(f"/tasks/{task_id}").get_data(as_text=True)
    version = form.split('name="case_version" value="')[1].split('"')[0]
    response = handler.post(f"/tasks/{task_id}", data={"disposal": "初步核实", "case_version": version})
    again = open_task_id(svc, case_id, "propose")
    assert response.status_code == 302 and again != task_id and response.headers["Location"].endswith(again)
    body = handler.get(response.headers["Location"]).get_data(as_text=True)
    assert "“提出处置意见”需要重新办理：选择初步核实须先补充核查材料" in body and "已提交" not in body


def test_a_refused_page_submission_keeps_the_form_with_the_reason(app, svc, users, deploy):
    from tests.web.conftest import Page

    deploy(looping_files())
    case_id = registered(svc, users)
    task_id = open_task_id(svc, case_id, "propose")
    handler = Page(app, "handler")
    form = handler.get(f"/tasks/{task_id}").get_data(as_text=True)
    version = form.split('name="case_version" value="')[1].split('"')[0]
    response = handler.post(f"/tasks/{task_id}",
                            data={"disposal": "初步核实", "reason": "先核实", "case_version": version})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "提交未被接受" in body and "已提交" not in body
    assert "流程未接受此次提交" in body and "先核实" in body                     # the form stays as filled in


def test_a_submission_that_moves_the_case_says_where_it_went(app, svc, users, deploy):
    from tests.web.conftest import Page

    deploy(approval_files())
    case_id = registered(svc, users)
    task_id = open_task_id(svc, case_id, "propose")
    handler = Page(app, "handler")
    form = handler.get(f"/tasks/{task_id}").get_data(as_text=True)
    version = form.split('name="case_version" value="')[1].split('"')[0]
    response = handler.post(f"/tasks/{task_id}", data={"disposal": "予以了结", "case_version": version},
                            follow_redirects=True)
    assert "已提交“提出处置意见”，案件进入“部门负责人审批”。" in response.get_data(as_text=True)
