"""Walk every page a person can reach, as that person, and check what the browser shows.

The walk is generic: it starts at the worklist, follows every same-site link of each page it opens, and
adds every parameterless GET route of the app (so a new page is walked without naming it here). Pages
are told apart by their path with numbers and ids replaced (`/cases/N`): each shape is opened once per
person. Checks, each returning a list of findings (empty when the page is right):
- `latin_words`: Latin-letter words a person reads (text, titles, placeholders, labels) outside a short
  allowlist; identifiers shown on purpose are marked up as `<code>` (or `translate="no"`);
- `console_problems`: errors and warnings in the browser console, and uncaught exceptions;
- `sideways_scroll`: the page is wider than the window (at 390 px: a phone scrolls sideways);
- `axe_violations`: serious or critical WCAG 2.1 A/AA violations found by axe-core (served from npm's copy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Words that are not "English" to the office: format names, standard abbreviations.
ALLOWED_WORDS = {"BPMN", "DMN", "API", "ID", "JSON", "PDF", "CSV", "XML", "MiB", "KB", "MB", "YYYY-MM-DD",
                 "bpmn.io"}
CASE_REFERENCE = re.compile(r"\b[A-Z]{1,4}-\d{4}-\d+\b")  # 案件编号 such as GX-2026-0001
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")
SHAPE = re.compile(r"(?<=/)(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/|$)")
SKIP_PREFIXES = ("/static/", "/logout", "/api/")
API_PAGES = ("/api/v1/docs",)  # API pages that are HTML for a browser (the reference for integrators)

READ_TEXT_JS = """() => {
  const skip = 'script, style, noscript, template, code, kbd, samp, [translate="no"]';
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skip)) { parts.push(node.nodeValue); }
  }
  document.querySelectorAll('[placeholder], [title], [aria-label], img[alt]').forEach(el => {
    if (el.closest(skip)) { return; }
    ['placeholder', 'title', 'aria-label', 'alt'].forEach(a => {
      if (el.hasAttribute(a)) { parts.push(el.getAttribute(a)); }
    });
  });
  return parts.join('\\n');
}"""

WAIT_READY_JS = """() => [...document.querySelectorAll('#diagram, #designer')]
  .every(el => ['true', 'error'].includes(el.getAttribute('data-ready')))"""

AXE_JS = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — '
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def shape_of(path: str) -> str:
    """`/cases/12` and `/cases/13` are one page shape: `/cases/N`."""
    return SHAPE.sub("N", urlsplit(path).path.rstrip("/") or "/")


def latin_words(text: str) -> list[str]:
    plain = CASE_REFERENCE.sub("", text)
    return sorted({w for w in WORD.findall(plain) if w not in ALLOWED_WORDS})


def route_paths(app) -> list[str]:
    """Every parameterless GET page of the app (the JSON API aside, its HTML docs included)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.rule.startswith(SKIP_PREFIXES) and rule.rule not in API_PAGES:
            continue
        paths.append(rule.rule)
    return sorted(paths)


@dataclass
class Visit:
    user: str
    path: str
    status: int | None
    shape: str
    latin: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    too_wide: str = ""


class Crawler:
    """One person's walk through the site in one Playwright page."""

    def __init__(self, page, base: str, user: str, start_paths: list[str], limit: int = 60):
        self.page, self.base, self.user = page, base, user
        self.queue = ["/worklist", *start_paths]
        self.limit = limit
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))
        page.on("response", self._response)

    def _response(self, response) -> None:
        """A resource the page asked for and did not get (the document itself may be a 403/404 page)."""
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status}: {response.url.removeprefix(self.base)}")

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        if message.text.startswith("Failed to load resource"):
            return  # the browser's echo of a failed request: _response reports those of resources
        self.messages.append(f"{message.type}: {message.text[:300]}")

    def links(self) -> list[str]:
        found = []
        for href in self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc and f"{parts.scheme}://{parts.netloc}" != self.base:
                continue
            if not parts.path.startswith("/") or (parts.path.startswith(SKIP_PREFIXES)
                                                  and parts.path not in API_PAGES):
                continue
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    def open(self, path: str) -> tuple[int | None, bool]:
        """Open a page; (status, whether it is an HTML page)."""
        self.messages.clear()
        response = self.page.goto(self.base + path, timeout=60_000)
        self.page.wait_for_load_state("networkidle", timeout=60_000)
        html = response is not None and response.headers.get("content-type", "").startswith("text/html")
        if html:
            try:
                self.page.wait_for_function(WAIT_READY_JS, timeout=60_000)
            except PlaywrightTimeout:
                self.messages.append("error: the diagram or editor did not finish loading within 60 s")
        return (response.status if response else None), html

    def walk(self, seen_shapes: set[str], visit_page) -> list[Visit]:
        """Open each new page shape once; `visit_page(crawler, visit)` adds checks; returns the visits."""
        visits = []
        while self.queue and len(visits) < self.limit:
            path = self.queue.pop(0)
            shape = shape_of(path)
            if shape in seen_shapes:
                continue
            seen_shapes.add(shape)
            status, html = self.open(path)
            if not html:  # /metrics, a JSON answer: not a page a person reads
                continue
            landed = urlsplit(self.page.url).path
            if landed != urlsplit(path).path:
                seen_shapes.add(shape_of(landed))
            visit = Visit(self.user, path, status, shape)
            visit_page(self, visit)
            visit.console = list(self.messages)
            visits.append(visit)
            self.queue.extend(p for p in self.links() if shape_of(p) not in seen_shapes)
        return visits

    def read_text(self) -> str:
        return self.page.evaluate(READ_TEXT_JS)

    def sideways_scroll(self) -> str:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        window = self.page.evaluate("document.documentElement.clientWidth")
        if width <= window:
            return ""
        culprits = self.page.evaluate("""w => [...document.querySelectorAll('body *')]
          .filter(el => el.getBoundingClientRect().right > w + 1 && getComputedStyle(el).position !== 'fixed')
          .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= w + 1)
          .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''))
          """, window)
        return f"{width}px > {window}px: {', '.join(culprits)}"

    def axe_violations(self) -> list[str]:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(url=f"{self.base}/static/vendor/axe-core/axe.min.js")
        return self.page.evaluate(AXE_JS)
