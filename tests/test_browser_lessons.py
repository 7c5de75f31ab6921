"""Lessons, drafts and the editor in real Chromium: what a student meets when they open a lesson.

A lesson runs on open with only its code in the editor; the sidebar shows where you are, finds
lessons by title in both languages and marks the ones you ran; what you type survives a reload
and can be reset; the editor completes torch names from the vendored table.
"""

from __future__ import annotations

import re

from app.lessons import Lesson, library
from app.web.lesson_view import lessons_by_topic
from tests.browser_support import (  # noqa: F401 - the fixtures are used by name
    Page,
    browser_fixture,
    editor_text,
    expect,
    open_page_fixture,
    page_fixture,
    pytestmark,
    set_code,
    shoot,
    wait_for_run,
)
from tests.conftest import LiveServer

LESSON = "shape-view-non-contiguous"


def test_a_lesson_runs_on_open_with_only_its_code_and_is_marked_done(
    page: Page, server: LiveServer
) -> None:
    page.goto(f"{server.url}/lessons/{LESSON}")
    wait_for_run(page)  # nobody clicked Run
    code = editor_text(page)
    assert not code.startswith("# id:") and "t1_.view(-1)" in code
    expect(page.locator(".lesson-notice h3")).to_have_text("view() on a transposed tensor fails")
    expect(page.locator(".lesson-notice .expects")).to_contain_text("on line 5")
    expect(page.locator(".cm-line.cm-error-line")).to_have_text("print(t1_.view(-1))")
    current = page.locator(f".sidebar a[data-lesson='{LESSON}']")
    expect(current).to_have_attribute("aria-current", "page")
    expect(current).to_be_in_viewport()
    expect(current.locator(".done-mark")).to_be_visible()  # run once: done
    shoot(page, "10-lesson-on-open")


def test_next_and_previous_follow_the_teaching_order(page: Page, server: LiveServer) -> None:
    lessons = list(library())
    at = next(i for i, lesson in enumerate(lessons) if lesson.id == LESSON)
    page.goto(f"{server.url}/lessons/{LESSON}")
    page.locator(".lesson-steps a[rel=next]").click()
    expect(page).to_have_url(f"{server.url}/lessons/{lessons[at + 1].id}")
    wait_for_run(page)
    page.locator(".lesson-steps a[rel=prev]").click()
    expect(page).to_have_url(f"{server.url}/lessons/{LESSON}")


def test_the_search_box_finds_lessons_by_english_or_chinese_title(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    search = page.locator("#lesson-search")
    search.fill("broadcast")
    visible = page.locator(".sidebar li:visible a")
    expect(visible.first).to_be_visible()
    titles = visible.all_inner_texts()
    assert titles and all("roadcast" in t for t in titles)
    search.fill("广播")
    expect(visible.first).to_be_visible()
    assert visible.count() >= 1
    search.fill("no lesson has this title")
    expect(page.locator("#lesson-search-empty")).to_be_visible()
    search.fill("")
    expect(page.locator(".sidebar details.topic:visible")).to_have_count(len(lessons_by_topic()))


def test_a_draft_survives_reload_per_lesson_and_can_be_reset(
    page: Page, server: LiveServer
) -> None:
    page.goto(f"{server.url}/lessons/{LESSON}")
    wait_for_run(page)
    original = editor_text(page)
    set_code(page, "mine = torch.ones(3)\n")
    expect(page.locator("#draft-bar")).to_be_visible()
    page.wait_for_timeout(400)  # drafts are saved a moment after the last key
    page.reload()
    wait_for_run(page)
    assert editor_text(page) == "mine = torch.ones(3)\n"
    expect(page.locator("#tensor-mine")).to_be_visible()  # the draft is what runs on open
    page.goto(server.url)  # the free editor keeps its own text
    wait_for_run(page)
    assert "mine" not in editor_text(page)
    page.goto(f"{server.url}/lessons/{LESSON}")
    wait_for_run(page)
    page.locator("#reset-code").click()
    wait_for_run(page)
    assert editor_text(page) == original
    expect(page.locator("#draft-bar")).to_be_hidden()
    page.reload()
    assert editor_text(page) == original
    shoot(page, "11-draft-reset")


def test_switching_language_keeps_the_draft(page: Page, server: LiveServer) -> None:
    page.goto(server.url)
    wait_for_run(page)
    set_code(page, "kept = torch.zeros(2)\n")
    page.wait_for_timeout(400)
    page.locator(".languages a", has_text="中文").click()
    wait_for_run(page)
    assert editor_text(page) == "kept = torch.zeros(2)\n"
    expect(page.locator("#tensor-kept")).to_be_visible()


def test_completions_and_signatures_come_from_the_torch_table(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url)
    wait_for_run(page)
    set_code(page, "")
    page.locator(".cm-content").click()
    page.keyboard.type("x = torch.ra")
    labels = page.locator(".cm-tooltip-autocomplete .cm-completionLabel")
    expect(labels.filter(has_text=re.compile(r"^randn$"))).to_have_count(1)
    page.keyboard.press("Escape")
    page.keyboard.type("ndn(")
    expect(page.locator(".cm-signature")).to_contain_text("torch.randn(*size")
    page.keyboard.type("2, 3)\ny = nn.Li")
    expect(labels.filter(has_text=re.compile(r"^Linear$"))).to_have_count(1)
    page.keyboard.press("Escape")
    page.keyboard.type("near\nz = x.vi")
    expect(labels.filter(has_text=re.compile(r"^view$"))).to_have_count(1)
    shoot(page, "12-completions")


def test_every_lesson_opens_without_a_header_in_the_editor(page: Page, server: LiveServer) -> None:
    """Sampled across topics: the editor holds the code the lesson module says it does."""
    for lesson in list(library())[::20]:
        page.goto(f"{server.url}/lessons/{lesson.id}")
        assert editor_text(page) == lesson.code


def first(kind: str) -> Lesson:
    return next(item for item in library() if item.question and item.question.kind == kind)


def test_predict_first_a_choice_then_the_verdict_in_english(page: Page, server: LiveServer) -> None:
    lesson = first("choice")
    question = lesson.question
    assert question is not None
    page.goto(f"{server.url}/lessons/{lesson.id}?lang=en")
    wait_for_run(page, reveal=False)  # it ran on open, but the results wait behind the question
    expect(page.locator("#veil-note")).to_be_visible()
    expect(page.locator("#results .run-status")).to_be_hidden()
    expect(page.locator(".lesson-reveal")).to_be_hidden()  # the notice, the expected error
    expect(page.locator(".cm-line.cm-error-line")).to_have_count(0)
    shoot(page, "13-predict-first")
    wrong = next(i for i in range(len(question.choices)) if i != question.answer)
    page.locator(f"#predict [data-predict='{wrong}']").click()
    answer = question.choices[question.answer].replace("`", "")  # `code` is drawn as code
    expect(page.locator("#predict-verdict")).to_have_text(
        f"Not this time: the answer is {answer}. Look at what happened below."
    )
    expect(page.locator("#results .run-status")).to_be_visible()
    expect(page.locator(".lesson-reveal")).to_be_visible()
    shoot(page, "14-predict-wrong")


def test_predict_a_shape_and_a_line_in_chinese(page: Page, server: LiveServer) -> None:
    lesson = first("shape")
    assert lesson.question is not None
    page.goto(f"{server.url}/lessons/{lesson.id}?lang=zh")
    wait_for_run(page, reveal=False)
    shape = ", ".join(map(str, lesson.question.answer))
    page.locator("#predict-input").fill(f"({shape})")
    page.locator("#predict-input").press("Enter")
    expect(page.locator("#predict-verdict")).to_have_text("答对了：结果正是这样。")
    expect(page.locator("#results .run-status")).to_be_visible()

    lesson = first("line")
    page.goto(f"{server.url}/lessons/{lesson.id}?lang=zh")
    wait_for_run(page, reveal=False)
    page.locator("#predict-input").fill(str(lesson.error_line))
    page.locator("#predict [data-predict=input]").click()
    expect(page.locator("#predict-verdict")).to_have_text("答对了：结果正是这样。")
    expect(page.locator(".cm-line.cm-error-line")).to_have_count(1)
    expect(page.locator(".lesson-reveal .expects")).to_be_visible()
    shoot(page, "15-predict-right-zh")


def test_run_without_predicting_shows_everything(page: Page, server: LiveServer) -> None:
    lesson = first("choice")
    page.goto(f"{server.url}/lessons/{lesson.id}")
    wait_for_run(page, reveal=False)
    with page.expect_response(lambda r: r.url.endswith("/run")):
        page.locator("#run-button").click()
    expect(page.locator("#results .run-status")).to_be_visible()
    expect(page.locator(".lesson-reveal")).to_be_visible()
    expect(page.locator("#predict-verdict")).to_be_hidden()
