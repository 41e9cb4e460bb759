"""Browser fixtures: the app served on 127.0.0.1 from a thread, and Debian's chromium driven by Playwright.

Without /usr/bin/chromium the browser tests skip with a message; with CI=true they fail instead,
because CI must run them (`.ci/run` installs chromium with apt-get).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, ROLE_USERS

CHROMIUM = Path(os.environ.get("QINGFENG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = (f"浏览器测试需要 Debian 的 chromium（{CHROMIUM} 不存在）：请运行 `apt-get install -y chromium`。"
                   " Browser tests need Debian's chromium at /usr/bin/chromium.")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: the browser tests must run in CI.", pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """The app on a free port of 127.0.0.1, with CSRF protection switched back on."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def login(browser, live_server, users):
    """login('handler'[, viewport]) -> a Playwright page of a fresh browser context at that size (the desktop one
    by default), logged in through the login page."""
    contexts = []

    def make(name: str, viewport: dict = VIEWPORT):
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("用户名").fill(ROLE_USERS[name][0])
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server}/worklist")
        return page

    yield make
    for context in contexts:
        context.close()
