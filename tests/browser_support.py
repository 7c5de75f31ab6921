"""What every browser test shares: Chromium, pages under the production CSP, and checks.

Each page a test opens is watched: it may only talk to the server itself, it may raise no
script error and it may cause no Content-Security-Policy violation. The CSP is the exact
header the web layer sends; until the server sends it, these pages add it to every response,
so the page is tested under it either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_ROOT, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 30_000
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
AXE = PROJECT_ROOT / "static" / "vendor" / "axe.min.js"
WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__problems.push(`CSP ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:`
    + `${e.lineNumber}:${e.columnNumber} ${e.sample}`);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
Browser = sync_api.Browser
Page = sync_api.Page
expect = sync_api.expect


@dataclass
class Watched:
    """What a page did that a test may not allow."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        # A failed load is judged by `response`, and htmx logs the 4xx/5xx and network errors
        # a test may provoke on purpose (its handlers show them to the student).
        expected = ("Failed to load resource", "Response Status Error Code", "htmx:")
        if kind == "error" and not text.startswith(expected):
            self.errors.append(text)

    def response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type not in (
            "document",
            "xhr",
            "fetch",
        ):
            self.errors.append(f"{response.status} {response.url}")

    def check(self, page: Page, server: LiveServer) -> None:
        foreign = [u for u in self.requests if not u.startswith((server.url, "data:", "blob:"))]
        assert not foreign, f"the page talked to other hosts: {foreign}"
        problems = [] if page.is_closed() else page.evaluate("window.__problems || []")
        assert not problems and not self.errors, [*problems, *self.errors]


def add_csp(route: Any) -> None:
    """Serve a page as the server sent it, with the CSP if it did not send one. A CSP binds
    the document it comes with, so only documents are touched; the rest goes straight by."""
    try:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        headers = dict(response.headers)
        headers.setdefault("content-security-policy", CSP)
        route.fulfill(response=response, headers=headers)
    except sync_api.Error:  # the page navigated away or closed while this was in flight
        pass


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(name="open_page")
def open_page_fixture(browser: Browser, server: LiveServer) -> Iterator[Callable[..., Page]]:
    """`open_page(viewport=…, color_scheme=…)`: a fresh context's page, watched."""
    opened: list[tuple[Any, Page, Watched]] = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1440, "height": 1000})
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        watched = Watched()
        context.on("request", lambda request: watched.requests.append(request.url))
        context.route(f"{server.url}/**", add_csp)
        context.add_init_script(WATCH)
        page = context.new_page()
        page.on("pageerror", lambda error: watched.errors.append(f"pageerror: {error}"))
        page.on("console", lambda m: watched.console(m.type, m.text))
        context.on("response", watched.response)
        opened.append((context, page, watched))
        return page

    yield make
    try:
        for _, page, watched in opened:
            watched.check(page, server)
    finally:
        for context, _, _ in opened:
            context.close()


@pytest.fixture(name="page")
def page_fixture(open_page: Callable[..., Page]) -> Page:
    return open_page()


def shoot(page: Page, name: str, *, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def editor_text(page: Page) -> str:
    return page.locator("#code").input_value()


def replace_code(page: Page, code: str, *, paste: bool = False) -> None:
    """Type `code` key by key, or paste it at once (typing a block would auto-indent it)."""
    page.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    if paste:
        page.keyboard.insert_text(code)
    else:
        page.keyboard.type(code)


def set_code(page: Page, code: str) -> None:
    """Replace the editor's text in one transaction (no typing, no auto-indent)."""
    page.locator(".cm-editor").wait_for()
    page.evaluate(
        """code => {
            const view = CM.EditorView.findFromDOM(document.querySelector(".cm-editor"));
            view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: code}});
        }""",
        code,
    )


RAN = """() => {
    const meta = document.getElementById("run-meta");
    return meta && JSON.parse(meta.textContent).ran
        && !document.querySelector("#results.htmx-request");
}"""


def wait_for_run(page: Page, *, reveal: bool = True) -> None:
    """A run's results are on the page and no request is in flight. A lesson's results wait
    behind its question; `reveal` shows them as the "show them now" button does."""
    page.wait_for_function(RAN)
    if reveal and page.locator("body.veiled").count():
        page.locator("#unveil").click()
    if reveal:
        expect(page.locator("#results .run-status")).to_be_visible()


def run_code(page: Page, code: str) -> None:
    set_code(page, code)
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.locator("#run-button").click()
    wait_for_run(page)


def fonts_drawing(page: Page, selector: str) -> set[str]:
    """The font families Chromium actually drew the first `selector` match with."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"] for f in fonts if f["isCustomFont"]}


def axe_violations(page: Page, *, context: str = "document") -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2 A/AA (colour contrast included) on the page as it is."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        f"""async () => {{
            const r = await axe.run({context}, {{runOnly: {{type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}}});
            return r.violations.map(v => ({{id: v.id, impact: v.impact, nodes: v.nodes
                .slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary)}}));
        }}"""
    )
    return json.loads(json.dumps(result))
