"""The registration step of the real clue process renders for intake (the cold try found it answering 500:
its cadre-lookup link read a template variable the task page no longer passes)."""

from __future__ import annotations

from sqlalchemy import select

from service.cases import actions
from service.config import ROOT
from service.models import WorkItem


def test_the_clue_registration_page_renders_with_the_cadre_lookup_link(page, svc, users):
    from service.deploy import deploy_directory

    deploy_directory(svc, ROOT / "bpmn")
    case_id = actions.start_case(svc, users["intake"], "clue_handling", "关于郝测试公车私用问题的线索", {}).case_id
    with svc.db.read_session() as session:
        task_id = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case_id,
                                                                WorkItem.bpmn_id == "register_clue"))
    response = page("intake").get(f"/tasks/{task_id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:500]
    assert "查找已有干部记录" in body and f"exclude_case_id={case_id}" in body
