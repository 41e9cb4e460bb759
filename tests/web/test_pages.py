"""HTML pages through the Flask test client: Chinese text, the right pages for the right roles, errors."""

from __future__ import annotations

import re

import pytest

from service.cases import actions
from tests.support.approval import REPORTER_NAME, open_task_id


def text(response) -> str:
    return response.get_data(as_text=True)


def test_login_page_is_in_chinese_with_a_csrf_field(app):
    body = text(app.test_client().get("/login"))
    assert "登录清风案件流程" in body and 'lang="zh-CN"' in body
    assert 'name="csrf_token"' in body


def test_wrong_password_shows_the_error_on_the_login_page(app, users):
    response = app.test_client().post("/login", data={"username": "handler", "password": "wrong-password"})
    assert response.status_code == 401
    assert 'role="alert"' in text(response)


def test_session_cookie_is_httponly_and_samesite(app, users):
    response = app.test_client().post("/login", data={"username": "handler", "password": "qingfeng-demo"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_send_users_who_are_not_logged_in_to_the_login_page(app):
    response = app.test_client().get("/worklist")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_header_shows_name_roles_and_department(page):
    body = text(page("supervisor").get("/worklist"))
    assert "孙主任" in body and "部门负责人" in body and "第一监督检查室" in body
    assert "退出登录" in body and 'href="/designer"' not in body


def test_designers_get_the_designer_link_in_the_header(page):
    assert 'href="/designer"' in text(page("designer").get("/worklist"))
    assert 'href="/designer"' in text(page("admin").get("/worklist"))


def test_logout_ends_the_session(page):
    handler = page("handler")
    assert handler.post("/logout").status_code == 302
    assert handler.get("/worklist").status_code == 302


def test_worklist_shows_the_handlers_task_with_working_days_left(page, demo_case):
    body = text(page("handler").get("/worklist"))
    assert "我的待办" in body and "提出处置意见" in body and "GX-2026-0001" in body and "测试审批流程" in body
    assert "剩 5 个工作日" in body and "2026-03-09" in body  # due date as YYYY-MM-DD
    assert "认领" in body


def test_worklist_of_an_auditor_is_empty(page, demo_case):
    body = text(page("auditor").get("/worklist"))
    assert "暂无待办任务" in body and "提出处置意见" not in body


def test_worklist_marks_overdue_tasks_and_filters_by_deadline(page, demo_case, clock):
    handler = page("handler")
    assert "提出处置意见" not in text(handler.get("/worklist?due=overdue"))
    assert "提出处置意见" not in text(handler.get("/worklist?due=soon"))
    clock.advance(days=3)  # Thursday: the Monday-after deadline is 2 working days away
    body = text(handler.get("/worklist?due=soon"))
    assert "提出处置意见" in body and "deadline due-soon" in body
    clock.advance(days=7)
    body = text(handler.get("/worklist?due=overdue"))
    assert "deadline overdue" in body and "已逾期" in body


def test_worklist_filters_by_process(page, demo_case):
    handler = page("handler")
    assert "提出处置意见" in text(handler.get("/worklist?process_key=approval_demo"))
    assert "提出处置意见" not in text(handler.get("/worklist?process_key=clue_handling"))


def test_claim_and_release_from_the_worklist(page, demo_case, svc):
    handler = page("handler")
    task_id = open_task_id(svc, demo_case, "propose")
    response = handler.post(f"/tasks/{task_id}/claim", data={"next": "/worklist"})
    assert response.status_code == 302
    body = text(handler.get("/worklist"))
    assert "已认领任务" in body and "我已认领" in body
    assert "提出处置意见" not in text(page("handler2").get("/worklist"))
    handler.post(f"/tasks/{task_id}/release")
    assert "提出处置意见" in text(page("handler2").get("/worklist"))


def test_claiming_a_task_of_another_role_shows_the_403_page(page, demo_case, svc):
    response = page("auditor").post(f"/tasks/{open_task_id(svc, demo_case, 'propose')}/claim")
    assert response.status_code == 403
    assert "无权访问" in text(response)


def test_case_list_is_searchable_and_paginated(page, demo_case, svc, users):
    handler = page("handler")
    body = text(handler.get("/cases"))
    assert "共 1 件" in body and "关于郝测试的问题线索" in body and "郝测试" in body and "办理中" in body
    assert "共 0 件" in text(handler.get("/cases?q=不存在的名字"))
    assert "共 1 件" in text(handler.get("/cases?q=郝测试&status=open&process_key=approval_demo"))
    for n in range(51):
        actions.start_case(svc, users["intake"], "approval_demo", f"批量案件 {n}", {})
    assert "共 1 件" in text(handler.get("/cases"))   # need to know: not yet cases of the handler's
    supervisor = page("supervisor")   # the department's head sees every case of the department
    body = text(supervisor.get("/cases"))
    assert "第 1 / 2 页" in body and "下一页" in body
    assert "第 2 / 2 页" in text(supervisor.get("/cases?page=2"))


def test_case_list_rejects_a_bad_filter_with_the_422_page(page, demo_case):
    response = page("handler").get("/cases?sort=sideways")
    assert response.status_code == 422 and "提交的内容有误" in text(response)


def test_case_page_renders_in_chinese_for_every_reader_role(page, demo_case):
    for role in ("intake", "handler", "supervisor", "leader", "auditor"):
        response = page(role).get(f"/cases/{demo_case}")
        body = text(response)
        assert response.status_code == 200, role
        assert "基本情况" in body and "流程图" in body and "待办步骤" in body and "审计记录" in body
        assert "审计链完整" in body and "2026-03-02 09:00" in body


@pytest.mark.parametrize("role", ["designer", "committee", "admin"])
def test_case_page_does_not_exist_outside_its_circle(page, demo_case, role):
    response = page(role).get(f"/cases/{demo_case}")   # need to know: no committee step yet, no admin reading
    assert response.status_code == 404 and "页面或记录不存在" in text(response)


def test_unknown_case_shows_the_404_page_in_chinese(page, users):
    response = page("handler").get("/cases/999999")
    assert response.status_code == 404
    assert "页面或记录不存在" in text(response) and "999999" not in text(response)


def test_unknown_page_shows_the_404_page_in_chinese(page):
    response = page("handler").get("/no-such-page")
    assert response.status_code == 404 and "页面或记录不存在" in text(response)


def test_recused_user_gets_the_403_page(page, demo_case, svc, users):
    actions.recuse_user(svc, users["deputy"], demo_case, users["handler"], "与被反映人系近亲属")
    handler = page("handler")
    for path in (f"/cases/{demo_case}", f"/tasks/{open_task_id(svc, demo_case, 'propose')}"):
        response = handler.get(path)
        assert response.status_code == 403, path
        assert "您已回避本案" in text(response)
    assert "提出处置意见" not in text(handler.get("/worklist"))
    assert "关于郝测试" not in text(handler.get("/cases"))


def test_reporter_button_is_absent_for_an_auditor(page, demo_case):
    body = text(page("auditor").get(f"/cases/{demo_case}"))
    assert "显示举报人信息" not in body and REPORTER_NAME not in body
    response = page("auditor").post(f"/cases/{demo_case}/reporter", data={"reason": "好奇"})
    assert response.status_code == 403 and REPORTER_NAME not in text(response)


def test_intake_reveals_the_reporter_with_a_reason_and_the_read_is_in_the_timeline(page, demo_case):
    intake = page("intake")
    assert "显示举报人信息" in text(intake.get(f"/cases/{demo_case}"))
    refused = intake.post(f"/cases/{demo_case}/reporter", data={"reason": " "})
    assert refused.status_code == 422 and "请说明查看举报人信息的理由" in text(refused)
    body = text(intake.post(f"/cases/{demo_case}/reporter", data={"reason": "核对举报人联系方式"}))
    assert REPORTER_NAME in body and "13800000000" in body
    assert 'data-action="reporter_viewed"' in body and "核对举报人联系方式" in body
    assert REPORTER_NAME not in text(page("auditor").get(f"/cases/{demo_case}"))


def test_task_form_renders_fields_instructions_and_case_facts(page, demo, svc, users):
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "登记测试", {}).case_id
    body = text(page("intake").get(f"/tasks/{open_task_id(svc, case_id, 'register')}"))
    assert "请登记 登记测试" in body and "案件情况" in body
    assert 'name="received_date"' in body and "YYYY-MM-DD" in body
    assert 'name="is_real_name" value="true"' in body and 'name="amount"' in body
    assert 'name="case_version"' in body


def test_task_form_error_retains_typed_values(page, demo, svc, users):
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "登记测试", {}).case_id
    task_id = open_task_id(svc, case_id, "register")
    response = page("intake").post(f"/tasks/{task_id}", data={
        "subject_name": "郝测试", "amount": "一万二", "received_date": "2026-03-02", "is_real_name": "false",
        "reporter_name": "钱举报"})
    body = text(response)
    assert response.status_code == 422
    assert re.search(r'id="f-amount-error"[^>]*>类型不正确<', body)
    assert 'value="一万二"' in body and 'value="郝测试"' in body and 'value="2026-03-02"' in body
    assert 'value="钱举报"' in body
    assert 'value="false" checked' in body
    assert "f-subject_name-error" not in body
    assert open_task_id(svc, case_id, "register") == task_id  # nothing was completed


def test_task_submit_completes_the_step_and_returns_to_the_case(page, demo_case, svc):
    handler = page("handler")
    task_id = open_task_id(svc, demo_case, "propose")
    response = handler.post(f"/tasks/{task_id}", data={"disposal": "予以了结", "reason": "无法查证"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{demo_case}")
    assert "已提交“提出处置意见”" in text(handler.get(f"/cases/{demo_case}"))
    again = handler.post(f"/tasks/{task_id}", data={"disposal": "予以了结"})
    assert again.status_code == 409
    assert "重新加载页面" in text(again)


def test_stale_case_version_shows_the_409_page_with_a_reload_hint(page, demo_case, svc):
    response = page("handler").post(f"/tasks/{open_task_id(svc, demo_case, 'propose')}",
                                    data={"disposal": "予以了结", "case_version": "1"})
    assert response.status_code == 409
    body = text(response)
    assert "数据已发生变化" in body and "重新加载页面" in body


def test_approval_form_shows_what_is_approved_and_needs_a_reason_to_return(page, demo_case, svc, users):
    actions.complete_task(svc, users["handler"], open_task_id(svc, demo_case, "propose"),
                          {"disposal": "谈话函询", "reason": "问题较轻"})
    supervisor = page("supervisor")
    task_id = open_task_id(svc, demo_case, "approve")
    body = text(supervisor.get(f"/tasks/{task_id}"))
    assert "审批事项" in body and "谈话函询" in body and "问题较轻" in body and "郝承办" in body
    assert 'name="decision" value="approve"' in body and "同意" in body and "退回修改" in body
    response = supervisor.post(f"/tasks/{task_id}", data={"decision": "return", "opinion": ""})
    assert response.status_code == 422 and 'id="f-opinion-error"' in text(response)
    assert supervisor.post(f"/tasks/{task_id}", data={"decision": "return", "opinion": "请补充"}).status_code == 302
    assert open_task_id(svc, demo_case, "propose") is not None


def test_four_eyes_refusal_is_shown_as_the_403_page(page, app, demo, svc, users):
    from service.cases import accounts

    accounts.create_user(svc, "both", "赵双岗", "qingfeng-demo", ["handler", "supervisor"], "第一监督检查室")
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "双人原则", {}).case_id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"),
                          {"subject_name": "甲", "received_date": "2026-03-02", "is_real_name": False})
    client = app.test_client()
    client.post("/login", data={"username": "both", "password": "qingfeng-demo"})
    client.post(f"/tasks/{open_task_id(svc, case_id, 'propose')}", data={"disposal": "予以了结"})
    response = client.post(f"/tasks/{open_task_id(svc, case_id, 'approve')}", data={"decision": "approve"})
    assert response.status_code == 403 and "双人原则" in text(response)


def test_start_page_offers_only_the_processes_the_role_may_start(page, demo):
    assert "测试审批流程" in text(page("intake").get("/start"))
    assert "您的角色不能发起任何流程" in text(page("auditor").get("/start"))


def test_starting_a_case_needs_a_title_and_then_opens_the_case(page, demo):
    intake = page("intake")
    refused = intake.post("/start", data={"process_key": "approval_demo", "title": " "})
    assert refused.status_code == 422 and "此项为必填项" in text(refused)
    response = intake.post("/start", data={"process_key": "approval_demo", "title": "新线索"})
    assert response.status_code == 302
    body = text(intake.get(response.headers["Location"]))
    assert "案件已发起" in body and "登记举报" in body


def test_starting_a_process_the_role_may_not_start_shows_the_403_page(page, demo):
    response = page("supervisor").post("/start", data={"process_key": "approval_demo", "title": "越权"})
    assert response.status_code == 403 and "不能发起" in text(response)


def test_unexpected_errors_show_the_500_page_in_chinese(app, users):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom-for-test", "boom", boom)
    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert "系统出现错误" in text(response) and "boom" not in text(response)


def test_pages_carry_security_headers_and_no_inline_script(page, demo_case, svc):
    handler = page("handler")
    task_path = f"/tasks/{open_task_id(svc, demo_case, 'propose')}"
    paths = ["/worklist", "/cases", f"/cases/{demo_case}", "/start", task_path]
    for path in paths:
        response = handler.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert response.headers["X-Frame-Options"] == "DENY"
        body = text(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path
        assert not re.search(r"\son[a-z]+\s*=", body), path
        assert "cdn" not in body.lower()


def test_forms_are_refused_without_a_csrf_token_when_protection_is_on(app, page, demo_case, svc):
    handler = page("handler")
    app.config["WTF_CSRF_ENABLED"] = True
    response = handler.post(f"/tasks/{open_task_id(svc, demo_case, 'propose')}/claim")
    assert response.status_code == 400 and "页面可能已过期" in text(response)


def test_case_page_shows_where_a_tampered_audit_chain_breaks(page, demo_case, svc):
    from sqlalchemy import text as sql

    with svc.db.engine.begin() as conn:  # simulate tampering behind the application's back
        conn.execute(sql("UPDATE audit_events SET actor_name = '篡改者' WHERE case_id = :c AND seq = 2"),
                     {"c": demo_case})
    body = text(page("auditor").get(f"/cases/{demo_case}"))
    assert "审计链在第 2 条事件处断裂" in body and "记录被改动" in body


def test_a_suspended_deadline_is_shown_as_such_on_the_worklist_and_case_page(page, demo_case, svc, users):
    from service.cases.deadlines import approve_suspension, suspend_deadline

    request = suspend_deadline(svc, users["supervisor"], open_task_id(svc, demo_case, "propose"), "等待外调材料") \
        .event.summary["suspension_id"]
    assert "期限已中止" not in text(page("handler").get("/worklist"))     # asked for, not approved yet
    approve_suspension(svc, users["leader"], request)
    handler = page("handler")
    assert "期限已中止" in text(handler.get("/worklist"))
    assert "期限已中止" in text(handler.get(f"/cases/{demo_case}"))


def test_every_role_gets_the_worklist_and_start_pages_in_chinese(page, demo):
    for role in ("intake", "handler", "supervisor", "leader", "committee", "designer", "auditor", "admin"):
        for path in ("/worklist", "/start"):
            response = page(role).get(path)
            assert response.status_code == 200, (role, path)
            assert 'lang="zh-CN"' in text(response) and "我的待办" in text(response)


def test_the_case_list_link_is_shown_only_to_roles_that_read_cases(page, demo):
    assert ">案件</a>" in text(page("auditor").get("/worklist"))
    assert ">案件</a>" not in text(page("designer").get("/worklist"))
    assert page("designer").get("/cases").status_code == 403
