"""A class in real headless Chromium: a teacher and three students, each in a browser context
of their own (own cookies), against the real server. The teacher logs in, makes a class and
adds a ready-made set; the students join by link, one solves, one fails, one raises; the
teacher's grid shows each within seconds, a cell shows the student's code, a broadcast
reaches every student's page, the CSV comes down, a student removed through the API leaves
the open grid, which (diffed poll by poll since it opened) then equals the projector view's
fresh one. The pages talk to no other host.

The grid's and the broadcast's delays are measured and printed (they are polled every
second; the assertions wait with generous margins: timing here is noisy).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.classroom.exercise_sets import find_set
from tests.classroom import TEACHER_CODE
from tests.conftest import PROJECT_ROOT, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
WAIT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # ~20 s: run by .ci/run after `make test` (`make test-slow`)
    pytest.mark.timeout(300),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=WAIT_MS)
FIRST = find_set("creation").exercises[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"classroom-{name}.png"), full_page=True)


def set_code(page, code: str) -> None:
    page.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def watch(page, violations: list[str]) -> None:
    """Console messages that fail the test: a blocked resource, an htmx error (say, an
    out-of-band swap whose target is missing)."""
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text or "htmx:" in m.text else None)  # fmt: skip


def grid_cells(page) -> list[list[str]]:
    """Each row of the grid: its id, then each cell's status and attempts."""
    return page.evaluate("""[...document.querySelectorAll('#class-grid tbody tr')].map(tr =>
        [tr.id, ...[...tr.querySelectorAll('td')].map(td => td.dataset.status + ' ' +
        td.dataset.attempts)])""")


def check(page) -> None:
    with page.expect_response(lambda r: r.url.endswith("/check")) as answer:
        page.locator("#check-button").click()
    assert answer.value.status == 200


def test_a_teacher_and_three_students(browser, classroom_server: LiveServer) -> None:
    seen: list[str] = []
    violations: list[str] = []
    contexts = []

    def context():
        made = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US",
                                   accept_downloads=True)  # fmt: skip
        made.set_default_timeout(WAIT_MS)
        made.on("request", lambda request: seen.append(request.url))
        contexts.append(made)
        return made

    try:
        teacher = context().new_page()
        watch(teacher, violations)
        teacher.goto(f"{classroom_server.url}/teach")
        teacher.locator("#teacher-code").fill(TEACHER_CODE)
        teacher.locator("button[type=submit]").click()
        teacher.locator("#class-name").fill("Browser class")
        teacher.locator("#new-class-heading ~ form button[type=submit]").click()
        expect(teacher.locator("#class-grid")).to_be_visible()
        teacher.locator("#set-id").select_option("creation")
        teacher.locator("#add-set").click()
        expect(teacher.locator("#class-grid thead th")).to_have_count(1 + 4)
        join_code = teacher.locator("#join-code").inner_text().strip()
        shoot(teacher, "1-teacher-empty")

        students = {}
        for name in ("Ann", "Bo", "Cy"):
            page = context().new_page()
            page.goto(f"{classroom_server.url}/c/{join_code}")
            page.locator("#join-name").fill(name)
            page.locator("button[type=submit]").click()
            expect(page.locator("#exercise-panel")).to_contain_text(FIRST.body.title)
            expect(page.locator(".cm-editor")).to_be_visible()
            students[name] = page
        expect(teacher.locator("#class-grid tbody tr")).to_have_count(3)

        lags = {}
        for name, code, status in (
            ("Ann", FIRST.body.reference, "passed"),
            ("Bo", FIRST.wrong, "failed"),
            ("Cy", "z = torch.zeros(2, 3) @ torch.zeros(2, 3)\n", "error"),
        ):
            page = students[name]
            set_code(page, code)
            check(page)
            answered = time.monotonic()
            cell = teacher.locator(f"tr[data-student='{name}'] td").first
            expect(cell).to_have_attribute("data-status", status)
            lags[name] = time.monotonic() - answered
        expect(students["Ann"].locator("#check-results")).to_contain_text("Passed")
        expect(students["Bo"].locator("#check-results")).to_contain_text(FIRST.wrong_detail)
        expect(students["Cy"].locator("#results")).to_contain_text("RuntimeError")
        expect(teacher.locator(".common-errors")).to_contain_text("RuntimeError")
        print(f"\ngrid behind each Check by {', '.join(f'{n} {s:.2f} s' for n, s in lags.items())}")
        shoot(students["Bo"], "2-student-failed")
        shoot(teacher, "3-teacher-grid")

        teacher.locator("tr[data-student='Bo'] td button").first.click()
        expect(teacher.locator("#cell-detail")).to_contain_text(FIRST.wrong.splitlines()[-1])

        teacher.locator("#broadcast-code").fill("look = torch.eye(3)")
        teacher.locator("#broadcast-send").click()
        sent = time.monotonic()
        expect(teacher.locator("#broadcast-sent")).to_contain_text("Sent at")
        delays = []
        for page in students.values():
            expect(page.locator("#broadcast [data-open-broadcast]")).to_be_visible()
            delays.append(time.monotonic() - sent)
        print(f"broadcast offered on all three pages after {max(delays):.2f} s")
        students["Cy"].locator("#broadcast [data-open-broadcast]").click()
        assert students["Cy"].locator("#code").input_value() == "look = torch.eye(3)"
        shoot(students["Cy"], "4-student-broadcast")

        students["Bo"].reload()  # the work survives a reload
        expect(students["Bo"].locator("#exercise-panel")).to_contain_text("failed")
        assert FIRST.wrong.strip() in students["Bo"].locator("#code").input_value()
        set_code(students["Bo"], "# a draft, never checked\ny = 0\n")
        students["Bo"].reload()  # so does a draft that was never submitted
        expect(students["Bo"].locator(".cm-content")).to_contain_text("a draft, never checked")

        with teacher.expect_download() as download:
            teacher.locator("a[download]").click()
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
        assert rows[0][:2] == ["student", FIRST.body.title]
        assert {row[0]: row[1] for row in rows[1:]} == {"Ann": "passed", "Bo": "failed",
                                                        "Cy": "error"}  # fmt: skip

        cy = teacher.locator("tr[data-student='Cy']").get_attribute("id").removeprefix("row-")
        class_api = f"{classroom_server.url}/api/v1/classes/{teacher.url.rsplit('/', 1)[1]}"
        teacher_auth = {"Authorization": f"Bearer {TEACHER_CODE}"}
        removed = teacher.request.delete(f"{class_api}/students/{cy}", headers=teacher_auth)
        assert removed.status == 204  # removed elsewhere: the open grid drops the row by itself
        expect(teacher.locator("#class-grid tbody tr")).to_have_count(2)
        expect(teacher.locator("#grid-heading")).to_contain_text("2 students")

        projector = contexts[0].new_page()
        watch(projector, violations)
        projector.goto(teacher.url + "/projector")
        expect(projector.locator("td[data-status='passed']")).to_have_count(1)
        assert grid_cells(teacher) == grid_cells(projector)  # diffed since the start == fresh
        shoot(projector, "5-projector")
        assert not violations, violations
    finally:
        for made in contexts:
            made.close()
    foreign = [url for url in seen if not url.startswith((classroom_server.url, "data:"))]
    assert not foreign, f"the pages talked to other hosts: {foreign}"
