"""统计 pages in the browser: charts drawn from the vendored ECharts (no CSP or script errors), the table under
each chart, filters in the URL, numbers that open the case list with the same total; usable at 390 px."""

from __future__ import annotations

import re

from service.demo import DEMO_PASSWORD
from tests.browser.conftest import VIEWPORT
from tests.stats.test_figures import data  # noqa: F401 - the generated data set fixture


def open_as(browser, live_server, username: str, viewport=VIEWPORT):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/worklist"))
    return context, page, errors


def wait_for_charts(page) -> int:
    charts = page.locator(".stats-chart")
    count = charts.count()
    page.wait_for_function(f"document.querySelectorAll('.stats-chart[data-drawn=true] canvas').length >= {count}")
    return count


def test_the_stats_pages_draw_charts_and_every_number_opens_its_cases(browser, live_server, data, output_dir):  # noqa: F811
    context, page, errors = open_as(browser, live_server, "leader")
    page.get_by_role("link", name="统计", exact=True).click()
    page.wait_for_url(re.compile(r".*/stats/four-forms"))
    assert wait_for_charts(page) == 3
    page.screenshot(path=str(output_dir / "stats-four-forms.png"), full_page=True)
    first = page.get_by_test_id("table-by_form").locator("tbody tr").first.locator("a")
    number = int(first.inner_text())
    first.click()
    page.wait_for_url(re.compile(r".*/cases\?.*form=1"))
    assert f"共 {number} 件" in page.locator("h1").inner_text()
    assert "形态=1" in page.get_by_test_id("stats-filter").inner_text()
    page.goto(f"{live_server}/stats/clues")
    page.get_by_label("承办部门").select_option(label="第二监督检查室")
    page.get_by_label("起始日期").fill("2026-02-01")
    page.get_by_role("button", name="统计").click()
    page.wait_for_url(re.compile(r".*/stats/clues\?.*department=\d+"))
    assert "from=2026-02-01" in page.url
    assert wait_for_charts(page) >= 3
    page.screenshot(path=str(output_dir / "stats-clues-filtered.png"), full_page=True)
    link = page.get_by_test_id("table-by_disposal").locator("tbody a").first
    number = int(link.inner_text())
    link.click()
    assert f"共 {number} 件" in page.locator("h1").inner_text()
    assert "department=" in page.url and "from=2026-02-01" in page.url
    assert not errors, errors
    context.close()


def test_the_timeliness_page_is_usable_at_390_px(browser, live_server, data, output_dir):  # noqa: F811
    context, page, errors = open_as(browser, live_server, "leader", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/stats/timeliness")
    assert wait_for_charts(page) == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width   # wide tables scroll inside their own box, not the page
    page.screenshot(path=str(output_dir / "stats-timeliness-390.png"), full_page=True)
    assert not errors, errors
    context.close()


def test_the_process_heat_map_marks_steps_flows_and_bottlenecks(browser, live_server, data, output_dir):  # noqa: F811
    context, page, errors = open_as(browser, live_server, "leader", viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server}/stats/processes/clue_handling")
    page.wait_for_selector("#heatmap[data-drawn=true]")
    assert page.locator(".djs-element[class*=qf-heat-]").count() >= 5
    assert page.locator(".djs-connection[class*=qf-flow-]").count() >= 5
    listed = page.get_by_test_id("bottlenecks").locator("li").count()
    assert page.locator(".djs-element.qf-bottleneck").count() == listed == 5
    assert page.locator(".qf-flow-share").count() >= 5
    page.screenshot(path=str(output_dir / "stats-process-heatmap.png"), full_page=True)
    scope = page.get_by_test_id("scope-cases")
    number = int(scope.inner_text())
    scope.click()
    assert f"共 {number} 件" in page.locator("h1").inner_text()
    page.goto(f"{live_server}/stats/processes/clue_handling")
    page.locator("#process-select").select_option(label="follow_up_visit")
    page.wait_for_url(re.compile(r".*/stats/processes/follow_up_visit"))
    page.wait_for_selector("#heatmap[data-drawn=true]")
    assert not errors, errors
    context.close()
