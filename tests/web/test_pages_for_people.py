"""Issue 18 §7 and §9 through the test client: no internals in the header, footer and error pages; the menu
offers 发起案件 only to someone who may start a process."""

from __future__ import annotations

from tests.support.approval import open_task_id


def text(response) -> str:
    return response.get_data(as_text=True)


def test_footer_does_not_print_the_time_zone_name(page, demo):
    body = text(page("handler").get("/worklist"))
    assert "Asia/Shanghai" not in body and "北京时间" in body


def test_start_case_is_in_the_menu_only_for_people_who_may_start_a_process(page, demo):
    assert 'href="/start"' in text(page("intake").get("/worklist"))
    assert 'href="/start"' not in text(page("designer").get("/worklist"))


def test_stale_case_page_does_not_show_the_internal_version_number(page, demo_case, svc):
    response = page("handler").post(f"/tasks/{open_task_id(svc, demo_case, 'propose')}",
                                    data={"disposal": "予以了结", "case_version": "1"})
    assert response.status_code == 409
    assert "当前版本" not in text(response) and "已被他人办理或更新" in text(response)


def test_api_docs_page_has_no_search_worker_and_speaks_chinese_to_the_browser(app):
    body = text(app.test_client().get("/api/v1/docs"))
    assert 'lang="zh-CN"' in body and "disable-search" in body and "cdn." not in body
