"""The classroom's pages over HTTP: joining by form or by link, the cookie that brings a
student back, Check, broadcasts polled, the teacher's login, dashboard, grid (204 while
nothing changed), cell, projector and exercise forms; no inline script or style anywhere,
and no form post from another site."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from app.classroom.exercise_sets import find_set
from app.lessons import find_lesson
from tests.classroom import DOUBLE, RIGHT, TEACHER_CODE, Classroom, new_class
from tests.conftest import LiveServer

HTML = {"accept": "text/html"}
HTMX = {"HX-Request": "true"}
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|<style", re.IGNORECASE)


@pytest.fixture
def room(classroom_server: LiveServer) -> Classroom:
    return new_class(classroom_server, "Pages")


@pytest.fixture
def browser(classroom_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=classroom_server.url, headers=HTML, timeout=60) as client:
        yield client


@pytest.fixture
def teacher(classroom_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=classroom_server.url, headers=HTML, timeout=60) as client:
        assert client.post("/teach/login", data={"code": TEACHER_CODE}).status_code == 303
        yield client


def page(response: httpx.Response, status: int = 200) -> str:
    """A page or fragment of the classroom's own: no inline script or style in it. On the
    playground (the issue 12 page) only the exercise panel is the classroom's."""
    assert response.status_code == status, response.text[:2000]
    html = response.text
    if 'id="exercise-panel"' in html:
        start = html.index('<section id="exercise-panel"')
        mine = html[start : html.index("</section>", start)]
    else:
        mine = html
    assert not INLINE.search(mine), INLINE.search(mine)
    return html


def join(browser: httpx.Client, room: Classroom, name: str = "Zoe") -> None:
    code = room.klass["join_code"].lower()  # typed in lower case: still the class
    response = browser.post("/join", data={"join_code": code, "name": name})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/c/{room.klass['join_code']}"
    cookie = response.headers["set-cookie"]
    assert "tp_student=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_joining_by_link_then_coming_back_with_the_cookie(
    room: Classroom, browser: httpx.Client
) -> None:
    exercise = room.add(DOUBLE)
    newcomer = page(browser.get(f"/c/{room.klass['join_code']}"))
    assert 'name="name"' in newcomer and room.klass["join_code"] in newcomer
    join(browser, room)
    playground = page(browser.get(f"/c/{room.klass['join_code']}"))
    assert 'id="exercise-panel"' in playground and 'id="check-button"' in playground
    assert "Double it" in playground and "<code>y</code>" in playground  # the prompt's Markdown
    assert DOUBLE["starter"].splitlines()[0] in playground
    assert re.search(r'src="/static/classroom\.[0-9a-f]+\.js"', playground)  # hashed names
    assert re.search(r'href="/static/classroom\.[0-9a-f]+\.css"', playground)
    room.submit(room.join("api"), exercise["id"], RIGHT)  # another student's work: not shown
    assert f'value="{exercise["id"]}"' in playground


def test_join_form_problems_are_said_on_the_form(room: Classroom, browser: httpx.Client) -> None:
    assert 'name="join_code"' in page(browser.get("/join"))
    unknown = browser.post("/join", data={"join_code": "NOSUCH22", "name": "a"})
    assert "No open class has this join code" in page(unknown, 404)
    join(browser, room, "Taken")
    taken = httpx.post(f"{room.url}/join", data={"join_code": room.klass["join_code"],
                                                  "name": "Taken"}, headers=HTML)  # fmt: skip
    assert "already taken" in page(taken, 409)
    empty = httpx.post(f"{room.url}/join", data={"join_code": room.klass["join_code"],
                                                  "name": " "}, headers=HTML)  # fmt: skip
    assert "1 to 40 characters" in page(empty, 422)
    assert page(browser.get("/c/NOSUCH22"), 404)


def test_check_answers_with_the_results_and_the_panel_out_of_band(
    room: Classroom, browser: httpx.Client
) -> None:
    exercise = room.add(DOUBLE)
    join(browser, room)
    url = f"/c/{room.klass['join_code']}/check"
    wrong = browser.post(
        url,
        data={
            "code": "x = torch.randn(3)\ny = x * 3\n",
            "exercise_id": exercise["id"],
            "lang": "en",
        },
        headers=HTMX,
    )
    html = page(wrong)
    assert html.index('id="results"') < html.index('id="exercise-panel"')
    assert 'hx-swap-oob="true"' in html and "Not yet: 2 of 4 checks hold." in html
    right = page(browser.post(url, data={"code": RIGHT, "exercise_id": exercise["id"]},
                              headers=HTMX))  # fmt: skip
    assert "Passed: every check holds." in right and "✓" in right
    back = page(browser.get(f"/c/{room.klass['join_code']}"))  # the work survives a reload
    assert "return a * 2" in back and "Passed: every check holds." in back
    assert room.progress()["cells"][0]["status"] == "passed"
    outsider = httpx.post(f"{room.url}{url}", data={"code": RIGHT, "exercise_id": exercise["id"]})
    assert outsider.status_code == 404  # no student cookie: join first


def test_a_broadcast_is_offered_on_the_page_within_two_seconds(
    room: Classroom, browser: httpx.Client
) -> None:
    join(browser, room)
    poll = f"/c/{room.klass['join_code']}/broadcast"
    assert browser.get(poll, headers=HTMX).status_code == 204
    sent = httpx.post(
        f"{room.url}/api/v1/classes/{room.id}/broadcast",
        json={"code": "shown = torch.eye(3)"},
        headers=room.teacher,
    ).json()
    deadline = time.monotonic() + 10
    while (response := browser.get(poll, headers=HTMX)).status_code == 204:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert "shown = torch.eye(3)" in page(response) and "data-open-broadcast" in response.text
    assert browser.get(poll, params={"since": sent["at"]}, headers=HTMX).status_code == 204


def test_the_teachers_pages_want_the_login(room: Classroom, browser: httpx.Client) -> None:
    assert 'name="code"' in page(browser.get("/teach"))
    for path in (f"/teach/{room.id}", f"/teach/{room.id}/projector"):
        response = browser.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/teach"
    partial = browser.get(f"/teach/{room.id}/grid", headers=HTMX)
    assert partial.status_code == 401 and partial.headers["hx-redirect"] == "/teach"
    wrong = browser.post("/teach/login", data={"code": "not it"})
    assert "not the teacher code" in page(wrong, 401)
    join(browser, room)  # a student's cookie opens no teacher page
    assert browser.get(f"/teach/{room.id}").status_code == 303


def test_the_dashboard_grid_cell_and_projector(room: Classroom, teacher: httpx.Client) -> None:
    exercise = room.add(DOUBLE)
    student = room.join("Ann")
    room.submit(student, exercise["id"], "x = torch.randn(3)\ny = x @ torch.ones(2)\n")
    listing = page(teacher.get("/teach"))
    assert room.klass["join_code"] in listing and f"/teach/{room.id}" in listing
    dashboard = page(teacher.get(f"/teach/{room.id}"))
    assert room.klass["join_code"] in dashboard and 'id="class-grid"' in dashboard
    assert 'data-status="error"' in dashboard and 'hx-trigger="every 500ms"' in dashboard
    assert "Most common errors right now" in dashboard and "RuntimeError" in dashboard
    version = re.search(r'data-version="(\d+)"', dashboard).group(1)
    grid = f"/teach/{room.id}/grid"
    assert teacher.get(grid, params={"v": version}, headers=HTMX).status_code == 204
    room.submit(student, exercise["id"], RIGHT)
    fresh = page(teacher.get(grid, params={"v": version}, headers=HTMX))
    assert 'data-status="passed"' in fresh and 'data-attempts="2"' in fresh
    cell = page(teacher.get(f"/teach/{room.id}/cell", params={
        "student": student.id, "exercise": exercise["id"]}, headers=HTMX))  # fmt: skip
    assert "return a * 2" in cell and "Ann" in cell
    projector = page(teacher.get(f"/teach/{room.id}/projector"))
    assert "projector-view" in projector and "Ann" in projector and "hx-confirm" not in projector
    csv_file = teacher.get(f"/api/v1/classes/{room.id}/progress.csv")  # the page's link
    assert csv_file.status_code == 200 and csv_file.text.startswith("student,Double it")


def test_exercises_from_the_form_a_set_and_a_lesson(room: Classroom, teacher: httpx.Client) -> None:
    form = {
        "title": "Ones",
        "prompt": "Make `y`.",
        "starter": "y = None",
        "reference": "y = torch.ones(2)",
        "checks": '[{"kind": "equal", "name": "y"}]',
    }
    preview = page(teacher.post(f"/teach/{room.id}/exercises/preview", data=form, headers=HTMX))
    assert "The reference passes every check" in preview and "y [2] torch.float32" in preview
    bad = {**form, "reference": "y = torch.zeros(3)", "checks": '[{"kind": "tensor", "name": '
           '"y", "shape": [2]}]'}  # fmt: skip
    refused = page(teacher.post(f"/teach/{room.id}/exercises", data=bad, headers=HTMX))
    assert "fails its own checks" in refused and "shape [2]; it has [3]" in refused
    broken = page(teacher.post(f"/teach/{room.id}/exercises/preview",
                               data={**form, "checks": "[{"}, headers=HTMX))  # fmt: skip
    assert "not JSON" in broken
    made = teacher.post(f"/teach/{room.id}/exercises", data=form, headers=HTMX)
    assert made.status_code == 200 and made.headers["hx-redirect"] == f"/teach/{room.id}"
    lesson = teacher.post(f"/teach/{room.id}/exercises/from-lesson",
                          data={"lesson_id": "shape-unsqueeze"}, headers=HTMX)  # fmt: skip
    assert lesson.headers["hx-redirect"] == f"/teach/{room.id}"
    filled = page(
        teacher.post(
            f"/teach/{room.id}/exercises/from-lesson",
            data={"lesson_id": "shape-unsqueeze", "edit": "1"},
            headers=HTMX,
        )
    )
    assert 'id="f-reference"' in filled and "unsqueeze" in filled
    ready = teacher.post(f"/teach/{room.id}/exercises/from-set", data={"set_id": "creation"},
                         headers=HTMX)  # fmt: skip
    assert ready.headers["hx-redirect"] == f"/teach/{room.id}"
    titles = [
        e["title"]
        for e in httpx.get(
            f"{room.url}/api/v1/classes/{room.id}/exercises", headers=room.teacher
        ).json()["exercises"]
    ]
    creation = [e.body.title for e in find_set("creation").exercises]
    assert titles == ["Ones", find_lesson("shape-unsqueeze").title, *creation]


def test_broadcast_remove_close_and_delete_from_the_dashboard(
    room: Classroom, teacher: httpx.Client
) -> None:
    student = room.join("Gone")
    sent = page(teacher.post(f"/teach/{room.id}/broadcast", data={"code": "z = 1"},
                             headers=HTMX))  # fmt: skip
    assert "Sent at" in sent
    removed = teacher.post(f"/teach/{room.id}/students/{student.id}/remove", headers=HTMX)
    assert removed.headers["hx-redirect"] == f"/teach/{room.id}"
    assert room.progress()["students"] == []
    assert teacher.post(f"/teach/{room.id}/close").status_code == 303
    assert room.progress()["class"]["closed_at"]
    assert teacher.post(f"/teach/{room.id}/delete").headers["location"] == "/teach"
    assert (
        httpx.get(f"{room.url}/api/v1/classes/{room.id}", headers=room.teacher).status_code == 404
    )


def test_no_form_post_from_another_site(room: Classroom, teacher: httpx.Client) -> None:
    exercise = room.add(DOUBLE)
    for path, data in (
        (f"/teach/{room.id}/broadcast", {"code": "evil = 1"}),
        (f"/teach/{room.id}/delete", {}),
        (f"/c/{room.klass['join_code']}/check", {"code": RIGHT, "exercise_id": exercise["id"]}),
    ):
        response = teacher.post(
            path,
            data=data,
            headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert response.status_code == 403, path
    assert (
        httpx.get(f"{room.url}/api/v1/classes/{room.id}", headers=room.teacher).status_code == 200
    )


def test_a_students_cookie_never_reaches_another_class_or_the_teacher(
    classroom_server: LiveServer, browser: httpx.Client
) -> None:
    mine, theirs = new_class(classroom_server, "mine"), new_class(classroom_server, "theirs")
    my_exercise, their_exercise = mine.add(DOUBLE), theirs.add(DOUBLE)
    them = theirs.join("Them")
    theirs.submit(them, their_exercise["id"], RIGHT)
    join(browser, mine, "Me")
    their_code = theirs.klass["join_code"]
    other_page = page(browser.get(f"/c/{their_code}"))  # their class: asked to join, no panel
    assert 'name="name"' in other_page and 'id="exercise-panel"' not in other_page
    assert browser.post(f"/c/{their_code}/check", headers=HTMX,
                        data={"code": RIGHT, "exercise_id": their_exercise["id"]}
                        ).status_code == 404  # not a student there  # fmt: skip
    smuggled = browser.post(f"/c/{mine.klass['join_code']}/check", headers=HTMX,
                            data={"code": RIGHT, "exercise_id": their_exercise["id"]})  # fmt: skip
    assert smuggled.status_code == 403  # my class's form, their exercise
    for path in (
        f"/teach/{theirs.id}",
        f"/teach/{theirs.id}/grid",
        f"/teach/{theirs.id}/projector",
        f"/teach/{theirs.id}/cell?student={them.id}&exercise={their_exercise['id']}",
    ):
        answer = browser.get(path, headers=HTMX)
        assert answer.status_code in (200, 303, 401) and "Them" not in answer.text, path
    for path in (
        f"/teach/{theirs.id}/broadcast",
        f"/teach/{theirs.id}/close",
        f"/teach/{theirs.id}/delete",
        f"/teach/{theirs.id}/students/{them.id}/remove",
    ):
        answer = browser.post(path, data={"code": "evil = 1"})
        assert answer.status_code in (303, 401), path
        assert "/teach" in answer.headers.get("location", "/teach"), path
    progress = theirs.progress()
    assert [s["name"] for s in progress["students"]] == ["Them"]
    assert progress["cells"][0]["attempts"] == 1 and progress["cells"][0]["status"] == "passed"
    assert httpx.get(f"{classroom_server.url}/api/v1/me", headers=them.auth).json()[
        "broadcast"] is None  # fmt: skip
    mine_now = mine.progress()  # the smuggled check recorded nothing here either
    assert [s["name"] for s in mine_now["students"]] == ["Me"]
    assert [(c["status"], c["attempts"]) for c in mine_now["cells"]] == [("not_tried", 0)]
    assert [e["id"] for e in mine_now["exercises"]] == [my_exercise["id"]]


def test_the_dashboards_cell_shows_only_its_own_classs_students(
    classroom_server: LiveServer, teacher: httpx.Client
) -> None:
    mine, theirs = new_class(classroom_server, "mine"), new_class(classroom_server, "theirs")
    mine.add(DOUBLE)
    their_exercise = theirs.add(DOUBLE)
    them = theirs.join("Them")
    theirs.submit(them, their_exercise["id"], RIGHT)
    crossed = teacher.get(
        f"/teach/{mine.id}/cell",
        headers=HTMX,
        params={"student": them.id, "exercise": their_exercise["id"]},
    )
    assert "return a * 2" not in page(crossed, 404) and "Them" not in crossed.text
    removed = teacher.post(f"/teach/{mine.id}/students/{them.id}/remove")
    assert removed.status_code in (200, 303)
    assert [s["name"] for s in theirs.progress()["students"]] == ["Them"]  # not removed
