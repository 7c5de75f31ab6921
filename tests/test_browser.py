"""The playground page end to end, in real headless Chromium against the real server.

Each test leaves a screenshot under artifacts/screenshots/ so a person can see each state.
Every request the page makes is recorded: it may only ever talk to the server itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
Browser = sync_api.Browser
Page = sync_api.Page
expect = sync_api.expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, server: LiveServer, requests_seen: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", lambda request: requests_seen.append(request.url))
    page = context.new_page()
    yield page
    context.close()
    foreign = [url for url in requests_seen if not url.startswith((server.url, "data:"))]
    assert not foreign, f"the page talked to other hosts: {foreign}"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # sticky header and editor belong at the top
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


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


def test_type_a_snippet_and_run_it_with_ctrl_enter(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    expect(page.locator(".cm-editor")).to_be_visible()
    replace_code(page, "x = torch.arange(6.).reshape(2, 3)\ny = x.t()\n")
    assert editor_text(page) == "x = torch.arange(6.).reshape(2, 3)\ny = x.t()\n"
    page.keyboard.press("Control+Enter")

    card = page.locator("#tensor-y")
    expect(card).to_be_visible()
    expect(card.locator(".shape")).to_have_text("[3, 2]")
    expect(card.locator(".stride")).to_have_text("[1, 3]")
    expect(card.locator(".badge.warn")).to_have_text("not contiguous")
    expect(page.locator("#tensor-x .stride")).to_have_text("[3, 1]")
    # x and y share one storage: one group, and y's elements read cells 0, 3, 1, 4, 2, 5
    expect(page.locator(".storage-group #tensor-x")).to_have_count(1)
    slots = card.locator(".element").evaluate_all("els => els.map(e => e.dataset.slot)")
    assert slots == ["0", "3", "1", "4", "2", "5"]
    shoot(page, "01-run-ctrl-enter")


def test_graph_is_drawn_and_hovering_a_card_highlights_its_node(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    replace_code(page, "w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()\n")
    page.locator("#run-button").click()
    expect(page.locator("#graph-canvas svg")).to_be_visible()
    node_id = page.locator("#tensor-loss").get_attribute("data-node")
    assert node_id and re.fullmatch(r"n\d+", node_id)
    node = page.locator(f"#graph-canvas g#{node_id}")
    expect(node).to_contain_text("loss")
    expect(page.locator("#graph-canvas g.node", has_text="MulBackward0")).to_have_count(1)
    page.locator("#tensor-loss").hover()
    expect(node).to_have_class(re.compile(r"\bhighlight\b"))
    page.locator("#step-range").fill("1")
    expect(page.locator(".cm-step-line")).to_have_text("loss = (w * 2).sum()")
    page.locator("#graph-view").scroll_into_view_if_needed()
    shoot(page, "02-graph-and-steps")


def test_open_a_lesson_run_it_and_see_its_error_explained(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.locator(".sidebar summary", has_text="Changing shape").click()
    page.locator(".sidebar a[data-lesson='shape-view-non-contiguous']").click()
    expect(page.locator(".lesson-notice h3")).to_have_text("view() on a transposed tensor fails")
    assert "t1_.view(-1)" in editor_text(page)
    page.locator("#run-button").click()

    error = page.locator(".error-card")
    expect(error).to_be_visible()
    expect(error.locator("h3")).to_contain_text("view()")
    expect(error.locator(".explanation")).to_contain_text("reshape")
    expect(error.locator(".operands")).to_contain_text("[3, 2]")
    expect(page.locator(".cm-line.cm-error-line")).to_have_text("print(t1_.view(-1))")
    shoot(page, "03-lesson-error")

    page.locator(".languages a", has_text="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#run-button")).to_contain_text("运行")
    expect(page.locator(".error-card h3")).to_contain_text("view()")
    expect(page.locator(".error-card .explanation")).to_contain_text("不复制数据")
    expect(page.locator(".cm-line.cm-error-line")).to_have_text("print(t1_.view(-1))")
    shoot(page, "04-lesson-error-zh")


def test_share_and_open_the_permalink_in_a_new_page(page: Page, server: LiveServer) -> None:
    code = "a = torch.rand(2, 2)\nb = a @ a\n"
    page.goto(server.url)
    replace_code(page, code)
    page.locator("#run-button").click()
    expect(page.locator("#tensor-b")).to_be_visible()
    values = page.locator("#tensor-b .grid").inner_text()
    page.locator("#share-button").click()
    link = page.locator("#share-url")
    expect(link).to_have_value(re.compile(rf"^{re.escape(server.url)}/s/[A-Za-z0-9_-]{{8,}}$"))
    shoot(page, "05-share")

    other = page.context.new_page()
    other.goto(link.input_value())
    assert editor_text(other) == code
    other.locator("#run-button").click()  # GET /s/{id} runs nothing; the page's POST does
    expect(other.locator("#tensor-b")).to_be_visible()
    assert editor_text(other) == code
    assert other.locator("#tensor-b .grid").inner_text() == values  # same seed, same numbers
    shoot(other, "06-permalink")


def test_projector_mode_persists_and_a_missing_page_is_html(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    before = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    with page.expect_response(f"{server.url}/prefs"):
        page.locator("#projector").check()
    page.reload()
    expect(page.locator("#projector")).to_be_checked()
    after = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))
    shoot(page, "07-projector")
    page.locator("#projector").uncheck()

    response = page.goto(f"{server.url}/s/doesnotexist")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    shoot(page, "08-not-found")


def test_a_run_in_flight_is_shown_and_cannot_be_sent_twice(page: Page, server: LiveServer) -> None:
    held: list[sync_api.Route] = []
    page.route("**/run", lambda route: held.append(route))
    page.goto(server.url)
    page.locator("#run-button").click()
    expect(page.locator("#run-button")).to_be_disabled()
    expect(page.locator("#busy")).to_be_visible()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # a second submit while the first is in flight
    page.wait_for_timeout(300)
    assert len(held) == 1
    shoot(page, "09-running")
    held[0].continue_()
    expect(page.locator("#tensor-x")).to_be_visible()
    expect(page.locator("#run-button")).to_be_enabled()
    expect(page.locator("#busy")).to_be_hidden()


def test_a_busy_server_says_when_to_retry(page: Page, server: LiveServer) -> None:
    page.route(
        "**/run",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "7", "Content-Type": "application/json"},
            body='{"error": "at_capacity", "detail": "the server is at capacity"}',
        ),
    )
    page.goto(f"{server.url}/?lang=en")
    page.locator("#run-button").click()
    expect(page.locator("#notice")).to_have_text(
        "The server is busy. Please try again in 7 seconds."
    )
    expect(page.locator("#run-button")).to_be_enabled()
    shoot(page, "10-busy")


def test_a_server_that_went_away_is_reported(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    page.route("**/run", lambda route: route.abort("connectionrefused"))
    page.locator("#run-button").click()
    expect(page.locator("#notice")).to_contain_text("Cannot reach the server")


def test_an_oversized_snippet_is_refused_with_the_servers_reason(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    page.evaluate(
        """n => {
            const view = CM.EditorView.findFromDOM(document.querySelector(".cm-editor"));
            view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: "#".repeat(n)}});
        }""",
        70_000,
    )
    page.locator("#run-button").click()
    expect(page.locator("#notice")).to_contain_text("the limit is")


RICH = """\
import matplotlib.pyplot as plt
model = nn.Linear(3, 2)
model.bias.requires_grad_(False)
cube = torch.arange(24.).reshape(2, 3, 4)
bad = torch.tensor([1.0, 0.0]) / torch.tensor([0.0, 0.0])
w = torch.ones(2, requires_grad=True)
for _ in range(2):
    (w * 3).sum().backward()
plt.plot([1, 4, 9])
"""


def test_modules_slices_nan_warnings_and_figures(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    replace_code(page, RICH, paste=True)
    assert editor_text(page) == RICH
    page.keyboard.press("Control+Enter")
    expect(page.locator(".module-card")).to_contain_text("model.bias")
    expect(page.locator(".module-card .badge.frozen")).to_have_text("frozen")
    expect(page.locator("#tensor-bad .loud").first).to_contain_text("NaN")
    expect(page.locator(".figures img")).to_have_count(1)
    expect(page.locator(".warnings")).to_be_visible()

    cube = page.locator("#tensor-cube")
    expect(cube.locator("table[data-slice]:visible")).to_have_count(1)
    expect(cube.locator("table[data-slice]:visible td").first).to_have_text("0")
    cube.locator("select[data-slice-select]").select_option("1")
    expect(cube.locator("table[data-slice]:visible td").first).to_have_text("12")
    shoot(page, "11-modules-slices-nan-figures")
