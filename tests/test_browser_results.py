"""The results in real Chromium: compact rows, cards linked to lines, the graph, the stepper.

What Compiler Explorer users expect (source and output linked both ways), what Python Tutor
users expect (Prev / Next / Play with the state at each step), and a graph that fits its box.
"""

from __future__ import annotations

import re

from tests.browser_support import (  # noqa: F401 - the fixtures are used by name
    Page,
    browser_fixture,
    expect,
    open_page_fixture,
    page_fixture,
    pytestmark,
    run_code,
    shoot,
    wait_for_run,
)
from tests.conftest import LiveServer

MANY = "\n".join(f"t{i} = torch.arange({i + 2}.)" for i in range(8)) + "\ncol = torch.ones(30, 1)\n"
GRAD = """\
w = torch.ones(2, 3, requires_grad=True)
x = torch.arange(3.)
y = w @ x
loss = (y ** 2).sum()
loss.backward()
"""


def open_with(page: Page, server: LiveServer, code: str) -> None:
    page.goto(server.url)
    wait_for_run(page)
    run_code(page, code)


def test_many_tensors_are_compact_rows_with_a_filter(page: Page, server: LiveServer) -> None:
    open_with(page, server, MANY)
    rows = page.locator(".tensor-card")
    expect(rows).to_have_count(9)
    assert all(not open_ for open_ in rows.evaluate_all("els => els.map(e => e.open)"))
    heights = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert max(heights) < 60  # one line each
    expect(page.locator("#tensor-col .shape")).to_have_text("[30, 1]")
    expect(page.locator("#tensor-col .spark")).to_be_visible()
    page.locator("#tensor-col summary.tensor-row").click()
    expect(page.locator("#tensor-col .grid tr")).to_have_count(1)  # (30, 1) as one row
    page.locator("#tensor-filter").fill("t5")
    expect(page.locator(".tensor-card:visible")).to_have_count(1)
    page.locator("#tensor-filter").fill("[30, 1]")
    expect(page.locator(".tensor-card:visible")).to_have_count(1)
    shoot(page, "20-compact-rows")


def test_cards_and_lines_are_linked_both_ways(page: Page, server: LiveServer) -> None:
    open_with(page, server, MANY)
    page.locator("#tensor-t2 summary.tensor-row").click()
    expect(page.locator(".cm-line.cm-linked-line")).to_have_text("t2 = torch.arange(4.)")
    # a click on line 5's number shows the tensors that line bound
    page.locator(".cm-lineNumbers .cm-gutterElement", has_text=re.compile(r"^5$")).click()
    expect(page.locator("#line-filter")).to_contain_text("line 5")
    expect(page.locator(".tensor-card:visible")).to_have_count(1)
    expect(page.locator("#tensor-t4")).to_be_visible()
    page.locator("#line-filter-clear").click()
    expect(page.locator(".tensor-card:visible")).to_have_count(9)


def test_the_graph_fits_its_box_and_shows_shapes_and_grads(page: Page, server: LiveServer) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_with(page, server, GRAD)
    tab = page.locator("#tab-graph")
    assert tab.bounding_box()["y"] < 768  # reachable without scrolling
    tab.click()
    svg = page.locator("#graph-canvas svg")
    expect(svg).to_be_visible()
    expect(page.locator("#graph-canvas g.node", has_text="MvBackward0")).to_contain_text("[2]")
    leaf = page.locator("#graph-canvas g.node", has_text="grad [2, 3]")
    expect(leaf).to_have_count(1)
    expect(leaf).to_contain_text("[2, 3]")
    box = page.locator("#graph-view").bounding_box()
    for node in page.locator("#graph-canvas g.node").all():
        b = node.bounding_box()
        assert box["y"] - 1 <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"] + 1
        assert box["x"] - 1 <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    before = svg.get_attribute("viewBox")
    page.locator("[data-graph=zoom-in]").click()
    assert svg.get_attribute("viewBox") != before
    page.locator("#graph-view").focus()
    page.keyboard.press("0")
    assert svg.get_attribute("viewBox") == before
    shoot(page, "21-graph")
    page.locator("#graph-canvas g.node", has_text="loss").first.click()
    expect(page.locator("#tensor-loss")).to_be_visible()  # back to its card
    page.locator("#tensor-loss .graph-link").click()
    expect(page.locator("#graph-canvas g.node.highlight")).to_have_count(1)


def test_viz_js_loads_only_when_a_graph_is_drawn(page: Page, server: LiveServer) -> None:
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if "viz-standalone" in r.url else None)
    open_with(page, server, GRAD)
    assert scripts == []
    page.locator("#tab-graph").click()
    expect(page.locator("#graph-canvas svg")).to_be_visible()
    assert len(scripts) == 1


def test_a_hostile_op_name_is_drawn_as_text(page: Page, server: LiveServer) -> None:
    """A class name can hold any text: it must stay a label, never become DOT attributes."""
    code = (
        'Evil = type(\'x"]; n0 [URL="javascript:alert(1)" label="pwned\', '
        "(torch.autograd.Function,), {'forward': staticmethod(lambda ctx, t: t * 2), "
        "'backward': staticmethod(lambda ctx, g: g * 2)})\n"
        "a = torch.ones(2, requires_grad=True)\nb = Evil.apply(a)\n"
    )
    open_with(page, server, code)
    page.locator("#tab-graph").click()
    expect(page.locator("#graph-canvas svg")).to_be_visible()
    assert page.locator("#graph-canvas a").count() == 0
    markup = page.locator("#graph-canvas").evaluate(
        "e => e.innerHTML.replace(/<text[^>]*>[^<]*<\\/text>/g, '')"
    )  # everything but the labels' text
    assert "javascript:" not in markup
    expect(page.locator("#graph-canvas g.node", has_text="URL=")).to_have_count(1)


def test_a_large_model_graph_starts_collapsed_by_module(page: Page, server: LiveServer) -> None:
    code = (
        "layers = [m for _ in range(30) for m in (nn.Linear(4, 4), nn.ReLU())]\n"
        "model = nn.Sequential(*layers)\nout = model(torch.ones(1, 4)).sum()\n"
    )
    open_with(page, server, code)
    page.locator("#tab-graph").click()
    expect(page.locator("#graph-canvas svg")).to_be_visible()
    modules = page.locator("#graph-canvas g.node[id^=c]")
    assert modules.count() >= 10
    total = page.locator("#graph-canvas g.node").count()
    modules.first.click()  # expand one module
    expect(page.locator("#graph-canvas g.cluster")).to_have_count(1)
    assert page.locator("#graph-canvas g.node").count() > total
    page.locator("[data-graph=expand-all]").click()
    expect(page.locator("#graph-canvas g.node[id^=c]")).to_have_count(0)
    shoot(page, "22-graph-expanded")


def test_the_stepper_shows_the_state_at_each_step(page: Page, server: LiveServer) -> None:
    code = "x = torch.zeros(2)\nfor i in range(3):\n    x = x + 1\nx.mul_(10)\n"
    open_with(page, server, code)
    page.locator("#tab-steps").click()
    expect(page.locator("#step-label")).to_have_text("1 / 5")
    state = page.locator("#step-state tbody")
    expect(state.locator("tr")).to_have_count(1)
    expect(state.locator("tr.now")).to_contain_text("[0, 0]")
    expect(page.locator(".cm-line.cm-step-line")).to_have_text("x = torch.zeros(2)")
    page.locator("#step-next").click()
    expect(state.locator("tr.now")).to_contain_text("[1, 1]")
    expect(page.locator(".cm-line.cm-step-line")).to_have_text("    x = x + 1")
    expect(page.locator("#step-source")).to_contain_text("x = x + 1")
    page.keyboard.press("ArrowRight")
    expect(state.locator("tr.now")).to_contain_text("[2, 2]")
    page.locator("#step-prev").click()
    expect(state.locator("tr.now")).to_contain_text("[1, 1]")
    page.locator("#step-play").click()
    expect(page.locator("#step-label")).to_have_text("5 / 5", timeout=10_000)
    expect(state.locator("tr.now")).to_contain_text("[30, 30]")
    expect(state.locator("tr.now .event")).to_have_text("changed in place")
    expect(page.locator("#step-play")).to_have_attribute("aria-pressed", "false")
    shoot(page, "23-stepper")


def test_a_training_loop_in_a_function_shows_its_iterations(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/lessons/training-linear-regression")
    wait_for_run(page)
    page.locator("#tab-steps").click()
    total = int(page.locator("#step-label").inner_text().split("/")[1])
    assert total > 50
    for _ in range(3):
        page.locator("#step-next").click()
    expect(page.locator("#step-where")).to_contain_text("train_one_epoch()")
    expect(page.locator("#step-state")).to_contain_text("train_one_epoch › train_x")
