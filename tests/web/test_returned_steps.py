"""A returned step (退回) says so: the banner on its page, 已退回 on the worklist and the case page, and every row of
the 办理记录 with the decision taken; the API says the same (issue 18, point 1)."""

from __future__ import annotations

from sqlalchemy import select

from service.cases import actions
from service.models import WorkItem
from tests.support.approval import open_task_id


def text(response) -> str:
    return response.get_data(as_text=True)


def returned_case(svc, users, demo_case, clock) -> int:
    """The demo case proposed by the handler and returned by the supervisor with an opinion."""
    actions.complete_task(svc, users["handler"], open_task_id(svc, demo_case, "propose"),
                          {"disposal": "予以了结", "reason": "情节轻微"})
    clock.set("2026-03-03T10:30:00+08:00")
    actions.complete_task(svc, users["supervisor"], open_task_id(svc, demo_case, "approve"),
                          {"decision": "return", "opinion": "事实部分需补充银行流水"})
    return demo_case


def test_a_returned_step_records_who_returned_it_and_the_decision_of_each_step(svc, users, demo_case, clock):
    returned_case(svc, users, demo_case, clock)
    with svc.db.read_session() as session:
        items = session.scalars(select(WorkItem).where(WorkItem.case_id == demo_case).order_by(WorkItem.id)).all()
    by_step = [(i.bpmn_id, i.decision, i.opinion, i.returned_by_item_id is not None) for i in items]
    approval = next(i for i in items if i.bpmn_id == "approve")
    assert by_step == [("register", None, None, False), ("propose", "予以了结", None, False),
                       ("approve", "退回修改", "事实部分需补充银行流水", False), ("propose", None, None, True)]
    assert items[-1].returned_by_item_id == approval.id


def test_the_returned_step_opens_with_a_banner_naming_who_when_and_why(page, svc, users, demo_case, clock):
    returned_case(svc, users, demo_case, clock)
    body = text(page("handler").get(f"/tasks/{open_task_id(svc, demo_case, 'propose')}"))
    assert 'data-testid="returned-banner"' in body and "此步骤已被退回" in body
    assert "孙主任" in body and "2026-03-03 10:30" in body and "事实部分需补充银行流水" in body
    assert body.index("returned-banner") < body.index('id="form-title"')        # at the top, before the form


def test_a_step_that_was_not_returned_has_no_banner(page, svc, demo_case):
    body = text(page("handler").get(f"/tasks/{open_task_id(svc, demo_case, 'propose')}"))
    assert "returned-banner" not in body and "已退回" not in body


def test_the_worklist_and_case_page_mark_the_returned_step(page, svc, users, demo_case, clock):
    returned_case(svc, users, demo_case, clock)
    worklist = text(page("handler").get("/worklist"))
    row = worklist.split('data-bpmn-id="propose"')[1].split("</tr>")[0]
    assert "已退回" in row
    case_page = text(page("handler").get(f"/cases/{demo_case}"))
    assert "已退回" in case_page.split('id="tasks-title"')[1].split("</section>")[0]


def test_each_row_of_the_history_shows_the_decision_taken(page, svc, users, demo_case, clock):
    returned_case(svc, users, demo_case, clock)
    body = text(page("supervisor").get(f"/cases/{demo_case}"))
    history = body.split('id="step-history"')[1].split("</table>")[0]
    rows = history.split("<tr data-bpmn-id=")[1:]
    assert [r.split('"')[1] for r in rows] == ["register", "propose", "approve"]
    assert "已办理" in rows[0] and "予以了结" in rows[1]
    assert "退回修改" in rows[2] and "事实部分需补充银行流水" in rows[2]


def test_the_api_says_which_task_was_returned_and_by_whom(api, svc, users, demo_case, clock):
    returned_case(svc, users, demo_case, clock)
    task_id = open_task_id(svc, demo_case, "propose")
    [listed] = [t for t in api("handler").get("/tasks").json if t["id"] == task_id]
    assert listed["returned"] is True
    detail = api("handler").get(f"/tasks/{task_id}").json
    assert detail["returned"] is True
    assert {k: detail["returned_by"][k] for k in ("step", "by", "decision", "opinion")} == \
        {"step": "部门负责人审批", "by": "孙主任", "decision": "退回修改", "opinion": "事实部分需补充银行流水"}
    history = api("handler").get(f"/cases/{demo_case}/diagram").json["history"]
    assert [(h["bpmn_id"], h["decision"]) for h in history] == [("register", None), ("propose", "予以了结"),
                                                                ("approve", "退回修改")]
    actions.complete_task(svc, users["handler"], task_id, {"disposal": "予以了结", "reason": "已补充"})
    approve = api("supervisor").get(f"/tasks/{open_task_id(svc, demo_case, 'approve')}").json
    assert approve["returned"] is False and approve["returned_by"] is None


def test_an_approval_step_waiting_for_the_supervisor_is_counted_in_the_header(page, api, svc, users, demo_case):
    assert "approval-count" not in text(page("supervisor").get("/worklist"))
    actions.complete_task(svc, users["handler"], open_task_id(svc, demo_case, "propose"), {"disposal": "予以了结"})
    assert 'data-testid="approval-count"' in text(page("supervisor").get("/worklist"))
    assert "待审批 1" in text(page("supervisor").get("/worklist"))
    assert api("supervisor").get("/tasks/counts").json["approval_steps"] == 1
    assert api("handler").get("/tasks/counts").json["approval_steps"] == 0
    actions.complete_task(svc, users["supervisor"], open_task_id(svc, demo_case, "approve"), {"decision": "approve"})
    assert "approval-count" not in text(page("supervisor").get("/worklist"))
