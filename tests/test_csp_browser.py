"""In real Chromium, under the server's Content-Security-Policy: /docs works offline, and
neither it nor the playground talks to another host or trips the policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer
from tests.test_browser import CHROMIUM_ARGS

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
Page = sync_api.Page
expect = sync_api.expect


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watched(chromium: object, server: LiveServer) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page, the URLs it requested and the CSP violations it reported (console included)."""
    context = chromium.new_context(locale="en-US")  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    requested: list[str] = []
    refused: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page, requested, refused
    context.close()


def violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__cspViolations"), *console]


def test_the_api_docs_work_offline_under_the_csp(
    watched: tuple[Page, list[str], list[str]], server: LiveServer
) -> None:
    page, requested, console = watched
    page.goto(f"{server.url}/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/run")).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/run").first.click()
    expect(page.locator(".responses-wrapper").first).to_contain_text("413")
    foreign = [url for url in requested if not url.startswith((server.url, "data:"))]
    assert not foreign, f"/docs talked to other hosts: {foreign}"
    assert not violations(page, console)


def test_the_playground_runs_under_the_csp_without_violations(
    watched: tuple[Page, list[str], list[str]], server: LiveServer
) -> None:
    page, requested, console = watched
    page.goto(server.url)
    page.locator("#run-button").click()
    expect(page.locator("#tensor-y")).to_be_visible()
    foreign = [url for url in requested if not url.startswith((server.url, "data:"))]
    assert not foreign, f"the page talked to other hosts: {foreign}"
    assert not violations(page, console)
