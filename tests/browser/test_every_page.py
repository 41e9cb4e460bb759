"""Every page, as every kind of person in the demo office, on a 390 px phone (issue 18 §8, §10, §11): no
sideways scrolling, no serious or critical accessibility violation (axe-core, served from npm's copy), a
clean console (no error, no warning, no failed resource). The walk follows menus and links and adds every
parameterless route (tests/browser/crawl.py), so pages added later are checked without being named here.
Screenshots: test-output/pages/390/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.demo import DEMO_PASSWORD, load_demo
from service.deploy import deploy_directory
from tests.browser.crawl import Crawler, route_paths, shape_of

pytestmark = pytest.mark.browser

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
# one account per kind of menu in the demo office (others see the same page shapes; bounded for CI's time)
PEOPLE = ["intake", "handler", "supervisor", "leader", "designer", "auditor", "admin"]
NOT_FOUND = "/cases/999999"


@pytest.fixture
def office(svc):
    deploy_directory(svc, BPMN_DIR)
    load_demo(svc)


def _none(findings: list[str]) -> None:
    assert not findings, "\n".join(findings)


def _log_in(browser, base: str, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/worklist")
    return context, page


def _walk(browser, base, app, width, check, shared_shapes: bool):
    """Each person walks the site; with shared_shapes a page shape is opened by the first person only."""
    visits, shared = [], set()
    starts = [*route_paths(app), NOT_FOUND]
    for username in PEOPLE:
        context, page = _log_in(browser, base, username, width)
        try:
            crawler = Crawler(page, base, username, starts)
            visits += crawler.walk(shared if shared_shapes else set(), check)
        finally:
            context.close()
    return visits


def _screenshot_and_axe(output: Path, axe_seen: set[str], axe_found: list[str]):
    output.mkdir(parents=True, exist_ok=True)

    def check(crawler, visit):
        if visit.shape in axe_seen:
            return
        axe_seen.add(visit.shape)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", visit.shape).strip("-") or "root"
        tall = crawler.page.evaluate("document.documentElement.scrollHeight") > 6000  # a long list: its top
        crawler.page.screenshot(path=str(output / f"{slug}-{visit.user}.png"), full_page=not tall, timeout=60_000)
        if not visit.path.startswith("/api/"):  # the API reference is the vendor's page (redoc), not ours
            axe_found.extend(f"{visit.user} {visit.path}: {v}" for v in crawler.axe_violations())
    return check


def test_every_page_fits_a_390_px_phone_with_a_clean_console_and_passes_axe(
        browser, live_server, app, office, output_dir):
    axe_seen: set[str] = set()
    axe_found: list[str] = []
    screenshot_and_axe = _screenshot_and_axe(output_dir / "pages" / "390", axe_seen, axe_found)

    def check(crawler, visit):
        visit.too_wide = crawler.sideways_scroll()
        screenshot_and_axe(crawler, visit)

    visits = _walk(browser, live_server, app, 390, check, shared_shapes=True)
    assert {shape_of("/cases/1"), "/worklist"} <= {v.shape for v in visits}
    _none([f"{v.user} {v.path}: too wide {v.too_wide}" for v in visits if v.too_wide]
          + [f"{v.user} {v.path}: console {v.console}" for v in visits if v.console] + axe_found)
