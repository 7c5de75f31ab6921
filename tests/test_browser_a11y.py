"""Accessibility and layout in real Chromium: axe-core (vendored from npm) finds no WCAG 2 A/AA
violation, colour contrast included, in each state a class meets: light and dark, an error in
both languages, the graph and the stepper, projector mode at 1024 x 768, a phone. Keyboard-only
use reaches everything; the layout is side by side from 1200 px and one column below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser_support import (  # noqa: F401 - the fixtures are used by name
    Page,
    axe_violations,
    browser_fixture,
    expect,
    open_page_fixture,
    page_fixture,
    pytestmark,
    run_code,
    set_code,
    shoot,
    wait_for_run,
)
from tests.conftest import LiveServer

GRAD = "w = torch.ones(2, 3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
STATES = {
    "light": ({}, "/", None),
    "dark": ({"color_scheme": "dark"}, "/", None),
    "error-en": ({}, "/lessons/shape-view-non-contiguous?lang=en", None),
    "error-zh-dark": ({"color_scheme": "dark"}, "/lessons/shape-view-non-contiguous?lang=zh", None),
    "graph": ({}, "/", "#tab-graph"),
    "steps-dark": ({"color_scheme": "dark"}, "/", "#tab-steps"),
    "nan-warnings": ({}, "/lessons/dtype-nan-nan-propagates", None),
    "phone": ({"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
              "/", None),
}  # fmt: skip


@pytest.mark.parametrize("state", STATES)
def test_axe_finds_no_violations(open_page: Callable[..., Page], server: LiveServer, state: str):
    options, path, tab = STATES[state]
    page = open_page(**options)
    page.goto(server.url + path)
    wait_for_run(page)
    if tab:
        run_code(page, GRAD)
        page.locator(tab).click()
        if tab == "#tab-graph":
            expect(page.locator("#graph-canvas svg")).to_be_visible()
    page.evaluate("document.querySelectorAll('details.tensor-card').forEach(d => d.open = true)")
    violations = axe_violations(page)
    shoot(page, f"30-axe-{state}")
    assert violations == [], violations


def test_projector_mode_at_1024_by_768(open_page: Callable[..., Page], server: LiveServer) -> None:
    page = open_page(viewport={"width": 1024, "height": 768})
    page.goto(f"{server.url}/lessons/shape-view-non-contiguous?lang=en")
    wait_for_run(page)
    with page.expect_response(f"{server.url}/prefs"):
        page.locator("#projector").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024  # nothing runs off the wall
    size = page.locator("body").evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
    assert size >= 20
    expect(page.locator("#run-button")).to_be_in_viewport()
    assert axe_violations(page) == []
    shoot(page, "31-projector-1024")


def test_on_a_phone_run_scrolls_to_the_results(
    open_page: Callable[..., Page], server: LiveServer
) -> None:
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(server.url)
    wait_for_run(page)
    assert page.evaluate("window.scrollY") == 0  # the automatic first run does not scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    set_code(page, "phone = torch.ones(2)\n")
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.locator("#run-button").tap()
    expect(page.locator("#tensor-phone")).to_be_in_viewport()
    shoot(page, "32-phone-after-run")


def test_side_by_side_from_1200_px_resizable_and_one_column_below(
    open_page: Callable[..., Page], server: LiveServer
) -> None:
    wide = open_page(viewport={"width": 1280, "height": 800})
    wide.goto(server.url)
    wait_for_run(wide)
    editor, results = (wide.locator(s).bounding_box() for s in ("#editor-pane", "#results"))
    assert results["x"] >= editor["x"] + editor["width"]  # editor | results
    splitter = wide.locator("#splitter")
    splitter.focus()
    for _ in range(3):
        wide.keyboard.press("ArrowRight")
    assert wide.locator("#editor-pane").bounding_box()["width"] > editor["width"] + 40
    narrow = open_page(viewport={"width": 1100, "height": 800})
    narrow.goto(server.url)
    wait_for_run(narrow)
    editor, results = (narrow.locator(s).bounding_box() for s in ("#editor-pane", "#results"))
    assert results["y"] >= editor["y"] + editor["height"]  # one column


def test_keyboard_only_use(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)
    page.locator(".cm-editor").wait_for()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link").first).to_be_focused()
    page.keyboard.press("Enter")  # skip into the editor, and type there
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("k = torch.ones(1)")
    page.keyboard.press("Escape")  # closes the signature or completion tooltip
    page.keyboard.press("Escape")  # then Tab leaves the editor, as CodeMirror documents
    page.keyboard.press("Tab")
    expect(page.locator("input[name=seed]")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    for _ in range(20):  # back to the Run button, in the toolbar above
        if page.evaluate("document.activeElement.id") == "run-button":
            break
        page.keyboard.press("Shift+Tab")
    expect(page.locator("#run-button")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.keyboard.press("Enter")
    expect(page.locator("#tensor-k")).to_be_visible()
    run_code(page, GRAD)
    page.locator("#tab-overview").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-graph")).to_be_focused()
    expect(page.locator("#panel-graph")).to_be_visible()
    expect(page.locator("#graph-canvas svg")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#panel-steps")).to_be_visible()
    page.keyboard.press("Tab")  # into the stepper: Prev
    page.keyboard.press("Tab")  # Play
    page.keyboard.press("Tab")  # Next
    page.keyboard.press("Enter")
    expect(page.locator("#step-label")).to_have_text("2 / 3")
    page.locator("#tab-overview").focus()
    page.keyboard.press("Enter")
    row = page.locator("#tensor-w summary.tensor-row")
    was_open = row.evaluate("s => s.parentElement.open")
    row.focus()
    page.keyboard.press("Enter")  # a row folds and unfolds from the keyboard too
    assert row.evaluate("s => s.parentElement.open") is not was_open
