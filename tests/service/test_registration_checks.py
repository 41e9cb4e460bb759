"""Registration checks what a clerk can get wrong (issue 18, point 5): a receipt date after today, 实名 without the
reporter's name, a 20,000-character summary, a date that does not exist; the 线索编号 is the system's, from a
gap-free per-year sequence, and the 信访 system's own number is an optional field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.cases import actions
from service.cases.errors import InvalidInput
from service.cases.queries import case_view
from service.config import ROOT
from service.models import Case, User, WorkItem
from tests.scenarios.clue_handling import CLUE_0001, CLUE_0002


@pytest.fixture
def clues(svc):
    from service.deploy import deploy_directory

    deploy_directory(svc, ROOT / "bpmn")


def start(svc, users, title: str = "关于郝测试公车私用问题的线索") -> tuple[int, str]:
    case_id = actions.start_case(svc, users["intake"], "clue_handling", title, {}).case_id
    with svc.db.read_session() as session:
        task_id = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case_id,
                                                                WorkItem.bpmn_id == "register_clue"))
    return case_id, task_id


def refused(svc, users, task_id: str, **changes) -> dict[str, list[str]]:
    data = {**CLUE_0001, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(InvalidInput) as error:
        actions.complete_task(svc, users["intake"], task_id, data)
    return error.value.errors


def clue_no(svc, case_id: int) -> str:
    with svc.db.read_session() as session:
        return session.get(Case, case_id).clue_no


def test_a_receipt_date_after_today_is_refused(svc, users, clues):
    _, task = start(svc, users)
    assert refused(svc, users, task, received_date="2026-03-03") == {"received_date": ["不能晚于今天（2026-03-02）"]}


def test_an_impossible_date_is_said_not_to_exist(svc, users, clues):
    _, task = start(svc, users)
    assert refused(svc, users, task, received_date="2026-02-30") == {"received_date": ["日期不存在"]}
    assert refused(svc, users, task, received_date="2026/02/28") == {"received_date": ["日期格式应为 YYYY-MM-DD"]}


def test_a_real_name_report_without_the_reporters_name_is_refused(svc, users, clues):
    _, task = start(svc, users)
    message = ["实名检举控告须登记检举控告人姓名"]
    assert refused(svc, users, task, reporter_name=None, reporter_phone=None) == {"reporter_name": message}
    assert refused(svc, users, task, reporter_name="  ") == {"reporter_name": message}
    actions.complete_task(svc, users["intake"], task, {**CLUE_0002})      # anonymous: no name needed


def test_a_summary_of_twenty_thousand_characters_is_refused(svc, users, clues):
    _, task = start(svc, users)
    assert refused(svc, users, task, allegation_summary="反" * 20_000) == \
        {"allegation_summary": ["不能超过 4000 个字符"]}


def test_the_clue_number_comes_from_a_gap_free_sequence_per_year(svc, users, clues, clock):
    first, task = start(svc, users)
    second, _ = start(svc, users, "第二件")
    assert (clue_no(svc, first), clue_no(svc, second)) == ("XS-2026-0001", "XS-2026-0002")
    with pytest.raises(InvalidInput):                                      # a refused start uses no number
        actions.start_case(svc, users["intake"], "clue_handling", "坏数据", {"received_date": "2026-12-31"})
    third, _ = start(svc, users, "第三件")
    assert clue_no(svc, third) == "XS-2026-0003"
    clock.set("2027-01-04T09:00:00+08:00")
    assert clue_no(svc, start(svc, users, "新年第一件")[0]) == "XS-2027-0001"
    # the clerk's value for the system number is never taken; the 信访 system's own number is kept
    actions.complete_task(svc, users["intake"], task, {**CLUE_0001, "clue_no": "XS-1999-9999",
                                                       "petition_no": "XF-2026-123"})
    assert clue_no(svc, first) == "XS-2026-0001"
    with svc.db.read_session() as session:
        view = case_view(svc, session, session.get(User, users["intake"]), first)
    assert view.data["clue_no"] == "XS-2026-0001" and view.data["petition_no"] == "XF-2026-123"


def test_the_api_refuses_each_with_422_naming_the_field(api, svc, users, clues):
    _, task = start(svc, users)
    response = api("intake").post(f"/tasks/{task}/complete",
                                  {"data": {**CLUE_0001, "received_date": "2026-02-30",
                                            "allegation_summary": "反" * 20_000}})
    assert response.status_code == 422
    assert response.json["errors"] == {"received_date": ["日期不存在"], "allegation_summary": ["不能超过 4000 个字符"]}
