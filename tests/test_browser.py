"""The playground page end to end, in real headless Chromium against the real server.

Running, errors in both languages, share links, the projector and the theme, a busy or
missing server. Every page runs under the production CSP and may not talk to other hosts or
raise a script error (tests/browser_support.py); screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.browser_support import (  # noqa: F401 - the fixtures are used by name
    CHROMIUM_ARGS,
    CSP,
    Page,
    browser_fixture,
    editor_text,
    expect,
    fonts_drawing,
    open_page_fixture,
    page_fixture,
    pytestmark,
    replace_code,
    run_code,
    set_code,
    shoot,
    sync_api,
    wait_for_run,
)
from tests.conftest import LiveServer


def test_the_starter_runs_on_open_and_ctrl_enter_runs_again(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)  # no click: the page starts the run itself
    expect(page.locator("#tensor-y .shape")).to_have_text("[3, 2]")
    replace_code(page, "x = torch.arange(6.).reshape(2, 3)\ny = x.t()\n")
    assert editor_text(page) == "x = torch.arange(6.).reshape(2, 3)\ny = x.t()\n"
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.keyboard.press("Control+Enter")
    wait_for_run(page)
    card = page.locator("#tensor-y")
    expect(card.locator(".shape")).to_have_text("[3, 2]")
    expect(card.locator(".badge.warn")).to_have_text("not contiguous")
    expect(card.locator(".stride")).to_have_text("[1, 3]")  # two tensors: cards start open
    expect(page.locator("#tensor-x .stride")).to_have_text("[3, 1]")
    expect(page.locator(".storage-group #tensor-x")).to_have_count(1)
    slots = card.locator(".element").evaluate_all("els => els.map(e => e.dataset.slot)")
    assert slots == ["0", "3", "1", "4", "2", "5"]
    shoot(page, "01-run-on-open")


def test_ctrl_enter_runs_from_anywhere_on_the_page(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)
    set_code(page, "only = torch.zeros(4)\n")
    page.locator("#results-heading").click()  # focus is outside the editor
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.keyboard.press("Control+Enter")
    expect(page.locator("#tensor-only")).to_be_visible()


def test_an_error_is_explained_in_both_languages_with_the_line_marked(
    page: Page, server: LiveServer
) -> None:
    page.goto(f"{server.url}/lessons/shape-view-non-contiguous?lang=en")
    wait_for_run(page)
    error = page.locator(".error-card")
    expect(error.locator("h3")).to_contain_text("view()")
    expect(error.locator(".explanation")).to_contain_text("reshape")
    expect(error.locator(".operands")).to_contain_text("[3, 2]")
    expect(page.locator(".cm-line.cm-error-line")).to_contain_text("print(t1_.view(-1))")
    expect(page.locator(".cm-error-widget")).to_contain_text("RuntimeError: view size")
    shoot(page, "02-lesson-error")

    page.locator(".languages a", has_text="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    wait_for_run(page)
    expect(page.locator("#run-button")).to_contain_text("运行")
    expect(page.locator(".error-card .explanation")).to_contain_text("不复制数据")
    expect(page.locator(".cm-line.cm-error-line")).to_contain_text("print(t1_.view(-1))")
    # Chinese text is drawn with the vendored subset, not left to the lab PC's fonts (this
    # machine has none: without the subset these would be empty boxes)
    page.evaluate("document.fonts.ready")
    for selector in ("#run-button", "#results-heading", ".facts div:last-child dd",
                     "#lessons-heading", ".error-card h4"):  # fmt: skip
        assert fonts_drawing(page, selector), selector
    shoot(page, "03-lesson-error-zh")


def test_share_copy_and_open_the_permalink(page: Page, server: LiveServer) -> None:
    code = "a = torch.rand(2, 2)\nb = a @ a\n"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(server.url)
    wait_for_run(page)
    run_code(page, code)
    values = page.locator("#tensor-b .grid").inner_text()
    page.locator("#share-button").click()
    link = page.locator("#share-url")
    expect(link).to_have_value(re.compile(rf"^{re.escape(server.url)}/s/[A-Za-z0-9_-]{{8,}}$"))
    page.locator("#copy-share").click()
    expect(page.locator("#copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
    shoot(page, "04-share")

    other = page.context.new_page()
    other.goto(link.input_value())
    wait_for_run(other)  # GET /s/{id} runs nothing: the page's own POST did
    assert editor_text(other) == code
    assert other.locator("#tensor-b .grid").inner_text() == values  # same seed, same numbers
    shoot(other, "05-permalink")


def test_projector_persists_and_a_missing_page_is_html(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    before = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    with page.expect_response(f"{server.url}/prefs"):
        page.locator("#projector").check()
    page.reload()
    expect(page.locator("#projector")).to_be_checked()
    after = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))
    page.locator("#projector").uncheck()

    response = page.goto(f"{server.url}/s/doesnotexist")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")


def test_the_dark_theme_follows_the_system_and_the_toggle_sticks(
    open_page: Callable[..., Page], server: LiveServer
) -> None:
    page = open_page(color_scheme="dark")
    page.goto(server.url)
    wait_for_run(page)
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(13, 17, 23)"
    shoot(page, "06-dark")
    button = page.locator("#theme-button")
    with page.expect_response(f"{server.url}/prefs"):
        button.click()  # auto -> dark (stays dark)
    with page.expect_response(f"{server.url}/prefs"):
        button.click()  # dark -> light
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-light\b"))
    assert page.evaluate(background) == "rgb(246, 247, 249)"
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\btheme-light\b"))
    expect(button.locator(".theme-label")).to_have_text("☀ Light")


def test_a_run_in_flight_dims_the_results_and_cannot_be_sent_twice(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    wait_for_run(page)
    held: list[sync_api.Route] = []
    page.route("**/run", lambda route: held.append(route))
    page.locator("#run-button").click()
    expect(page.locator("#run-button")).to_be_disabled()
    expect(page.locator("#busy")).to_be_visible()
    expect(page.locator("#results")).to_have_class(re.compile(r"\bhtmx-request\b"))
    assert float(page.locator("#results").evaluate("e => getComputedStyle(e).opacity")) < 1
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # a second submit while the first is in flight
    page.wait_for_timeout(300)
    assert len(held) == 1
    shoot(page, "07-running")
    held[0].continue_()
    expect(page.locator("#tensor-x")).to_be_visible()
    expect(page.locator("#run-button")).to_be_enabled()
    expect(page.locator("#busy")).to_be_hidden()


def test_a_busy_server_says_when_to_retry(page: Page, server: LiveServer) -> None:
    page.route(
        "**/run",
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "7", "Content-Type": "application/json",
                     "Content-Security-Policy": CSP},
            body='{"error": "at_capacity", "detail": "the server is at capacity"}',
        ),
    )  # fmt: skip
    page.goto(f"{server.url}/?lang=en")
    expect(page.locator("#notice")).to_have_text(
        "The server is busy. Please try again in 7 seconds."
    )
    expect(page.locator("#run-button")).to_be_enabled()


def test_a_server_that_went_away_is_reported(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)
    page.route("**/run", lambda route: route.abort("connectionrefused"))
    page.locator("#run-button").click()
    expect(page.locator("#notice")).to_contain_text("Cannot reach the server")


def test_an_oversized_snippet_is_refused_with_the_servers_reason(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    wait_for_run(page)
    set_code(page, "#" * 70_000)
    page.locator("#run-button").click()
    expect(page.locator("#notice")).to_contain_text("the limit is")


def test_the_footer_shows_the_versions(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    expect(page.locator(".footer")).to_contain_text("PyTorch 2.13")
    expect(page.locator(".footer")).to_contain_text("Tensor Playground 0.")


def test_stop_ends_a_long_run(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)
    expect(page.locator("#stop-button")).to_be_hidden()
    set_code(page, "import time\nx = torch.ones(2)\nwhile True:\n    time.sleep(0.01)\n")
    page.locator("#run-button").click()
    stop = page.locator("#stop-button")
    expect(stop).to_be_visible()
    page.wait_for_timeout(300)  # the run is admitted and going
    stop.click()
    expect(page.locator(".error-card h3")).to_have_text("You stopped the run", timeout=4000)
    expect(stop).to_be_hidden()
    expect(page.locator("#run-button")).to_be_enabled()
    shoot(page, "08-stopped")
