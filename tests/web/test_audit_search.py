"""The auditor's cross-case audit search (issue 18 §9): page and API, by person, action, date and case;
nobody else gets it; the submitted case content stays out of it; the 403 page names the actual reason."""

from __future__ import annotations

from service.cases import actions
from service.models import Case


def text(response) -> str:
    return response.get_data(as_text=True)


def _reference(svc, case_id: int) -> str:
    with svc.db.read_session() as session:
        return session.get(Case, case_id).reference


def test_auditor_finds_every_reporter_identity_read_across_cases(api, svc, users, demo_case):
    other = actions.start_case(svc, users["intake"], "approval_demo", "另一件线索", {}).case_id
    actions.read_reporter(svc, users["intake"], demo_case, "核实举报内容")
    actions.read_reporter(svc, users["intake"], other, "补充登记")
    found = api("auditor").get("/audit?action=reporter_viewed")
    assert found.status_code == 200, found.json
    assert found.json["total"] == 2
    assert {(e["actor_name"], e["case_reference"]) for e in found.json["items"]} == {
        ("甄受理", _reference(svc, demo_case)), ("甄受理", _reference(svc, other))}
    assert {e["summary"]["reason"] for e in found.json["items"]} == {"核实举报内容", "补充登记"}
    assert api("auditor").get(f"/audit?actor={users['intake']}&action=reporter_viewed").json["total"] == 2
    assert api("auditor").get(f"/audit?actor={users['supervisor']}&action=reporter_viewed").json["total"] == 0
    by_case = api("auditor").get(f"/audit?case={_reference(svc, other)}").json
    assert by_case["total"] >= 2 and {e["case_id"] for e in by_case["items"]} == {other}
    assert all("data" not in e["summary"] for e in by_case["items"])  # the report's content is not the auditor's
    assert api("auditor").get("/audit?from=2026-03-03").json["total"] == 0  # the clock is 2026-03-02
    assert api("auditor").get("/audit?from=2026-03-02&to=2026-03-02").json["total"] == \
        api("auditor").get("/audit").json["total"]


def test_only_the_auditor_may_search_the_audit_trail_across_cases(api, page, demo_case):
    response = api("supervisor").get("/audit")
    assert response.status_code == 403 and response.json["code"] == "not_auditor"
    forbidden = page("supervisor").get("/audit")
    assert forbidden.status_code == 403
    assert "原因：角色。跨案件审计查询仅限审计人员。" in text(forbidden) and "部门负责人" in text(forbidden)


def test_audit_search_page_filters_and_is_in_the_auditors_menu(page, svc, users, demo_case):
    actions.read_reporter(svc, users["intake"], demo_case, "核实举报内容")
    auditor = page("auditor")
    assert 'href="/audit"' in text(auditor.get("/worklist"))
    assert 'href="/audit"' not in text(page("supervisor").get("/worklist"))
    body = text(auditor.get(f"/audit?action=reporter_viewed&actor={users['intake']}"))
    assert "共 1 条" in body and "查看举报人信息" in body and "理由：核实举报内容" in body
    assert _reference(svc, demo_case) in body
    bad = auditor.get("/audit?from=2026-02-30")
    assert bad.status_code == 422 and "起始日期" in text(bad)


def test_recused_user_is_told_the_reason_is_recusal(page, svc, users, demo_case):
    actions.recuse_user(svc, users["leader"], demo_case, users["handler"], "与被反映人系亲属")
    response = page("handler").get(f"/cases/{demo_case}")
    assert response.status_code == 403
    assert "原因：回避" in text(response)
