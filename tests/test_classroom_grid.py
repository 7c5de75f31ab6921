"""The teacher's grid polled as diffs (app/classroom/grid_view.py): after any sequence of joins,
submissions, removals, new exercises and polls, a page that applied every answer as htmx does
(tests/grid_model.py) holds exactly the whole grid rendered fresh; a poll after one
submission sends that row only, a small part of the whole grid; whatever the server cannot
diff (an unknown or too old version, a newcomer out of order) gets the whole grid.

In process, on the real store (SQLite) and templates; then over HTTP on the live server, the
teacher's page and the projector view alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import update
from starlette.requests import Request

from app.classroom import grid_view, page_kit
from app.classroom.service import ClassroomService
from app.classroom.store import ClassroomStore, NewSubmission, StudentRow
from app.config import Settings
from app.store import Database
from app.store.database import database_url as resolve_url
from app.store.schema import students
from app.web import pages
from tests.classroom import DOUBLE, RIGHT, TEACHER_CODE, Classroom, new_class
from tests.conftest import LiveServer
from tests.grid_model import GridPage, parse

pytestmark = pytest.mark.anyio
EXAMPLES = int(os.environ.get("PLAYGROUND_PROPERTY_EXAMPLES", "100"))
TEMPLATES = pages.build_templates()
page_kit.install_filters(TEMPLATES)
EXERCISE = {
    "title": "t", "title_zh": "题", "prompt": "p", "prompt_zh": None, "starter": "",
    "reference": "y = 1", "checks": [{"kind": "no_error"}], "lesson_id": None,
    "seed_key": "00" * 32,
}  # fmt: skip
ERRORS = ("Shapes do not match", "A name that is not defined", "Shapes do not match")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[ClassroomService]:
    url = f"sqlite:///{tmp_path / 'store' / 'playground.sqlite3'}"
    database = Database(resolve_url(Settings(database_url=SecretStr(url))))
    await database.open()
    try:  # the grid's paths never run code: no RunService
        yield ClassroomService(Settings(), ClassroomStore(database), runs=None)  # type: ignore[arg-type]
    finally:
        await database.close()


def page_request(lang: str) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(templates=TEMPLATES))
    headers = [(b"accept-language", lang.encode())]
    return Request({"type": "http", "app": app, "headers": headers, "query_string": b"",
                    "method": "GET", "path": "/"})  # fmt: skip


def graded(klass: str, student: str, exercise: str, status: str, error: int = 0) -> NewSubmission:
    raised = status == "error"
    return NewSubmission(
        class_id=klass, student_id=student, exercise_id=exercise, code="#", seed=1,
        passed=status == "passed", status=status, checks=[], report="{}",
        error_type="RuntimeError" if raised else None,
        error_title=ERRORS[error % len(ERRORS)] if raised else None,
    )  # fmt: skip


class Dashboard:
    """A teacher's page (or the projector view) on the in-process views."""

    def __init__(self, service: ClassroomService, class_id: str, *, projector_view: bool,
                 lang: str = "en") -> None:  # fmt: skip
        self.service, self.class_id, self.projector_view = service, class_id, projector_view
        self.request = page_request(lang)
        self.page: GridPage | None = None
        self.sent: list[int] = []
        """Bytes of each answer the page got."""

    async def answer(self, since: int) -> tuple[int, httpx.Headers, str]:
        klass = await self.service.store.get_class(self.class_id)
        assert klass is not None
        response = await grid_view.poll(self.request, self.service, klass, since,
                                        projector_view=self.projector_view)  # fmt: skip
        return response.status_code, httpx.Headers(dict(response.headers)), response.body.decode()

    async def open(self) -> GridPage:
        status, _, body = await self.answer(-1)
        assert status == 200
        self.page = GridPage(body)
        self.sent.append(len(body.encode()))
        return self.page

    async def poll(self) -> tuple[int, httpx.Headers, str]:
        assert self.page is not None
        answer = await self.answer(self.page.version)
        self.page.apply(*answer)
        self.sent.append(len(answer[2].encode()))
        return answer

    async def check(self) -> None:
        """The page, polled, holds what a fresh whole grid shows."""
        await self.poll()
        _, _, whole = await self.answer(-1)
        assert self.page is not None and self.page.html() == parse(whole).elements()[0].html()


async def new_room(service: ClassroomService, exercises: int) -> str:
    klass = await service.store.create_class("Grid", "en")
    for n in range(exercises):
        await service.store.add_exercise(klass.id, {**EXERCISE, "title": f"Exercise {n}"})
    return klass.id


join = st.tuples(st.just("join"))
submit = st.tuples(
    st.just("submit"),
    st.integers(0, 9),
    st.integers(0, 3),
    st.sampled_from(["passed", "failed", "error"]),
    st.integers(0, 2),
)
poll = st.tuples(st.just("poll"), st.integers(0, 1))
operations = st.lists(
    st.one_of(join, join, submit, submit, submit, poll, poll, poll,
              st.tuples(st.just("remove"), st.integers(0, 9)),
              st.tuples(st.just("exercise"), st.integers(0, 4))),
    min_size=3, max_size=40,
)  # fmt: skip
"""Mostly joins, submissions and polls; now and then a removal or a new exercise (each of
which makes the next poll of a page before it the whole grid)."""


@pytest.mark.timeout(max(120, EXAMPLES))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([1, 2, 3, 0]), operations, st.sampled_from(["en", "zh"]))
async def test_a_diffed_grid_equals_the_whole_grid_after_any_changes(
    service: ClassroomService, exercises: int, steps: list[tuple], lang: str
) -> None:
    """Two pages (the dashboard and the projector) poll at their own moments, so each
    answer bridges a different stretch of changes."""
    class_id = await new_room(service, exercises)
    store = service.store
    dashboards = [Dashboard(service, class_id, projector_view=p, lang=lang) for p in (False, True)]
    for dashboard in dashboards:
        await dashboard.open()
    joined: list[StudentRow] = []
    for n, step in enumerate(steps):
        listed = await store.exercises(class_id)
        if step[0] == "join":
            joined.append(await store.join(class_id, f"s{n}", f"{class_id}-{n}"))
        elif step[0] == "submit" and joined and listed:
            _, who, what, status, error = step
            student, exercise = joined[who % len(joined)], listed[what % len(listed)]
            await store.record(graded(class_id, student.id, exercise.id, status, error))
        elif step[0] == "remove" and joined:
            await store.remove_student(class_id, joined.pop(step[1] % len(joined)).id)
        elif step[0] == "exercise" and step[1] == 0:  # one in five: it ends the diffs
            await store.add_exercise(class_id, {**EXERCISE, "title": f"Exercise {len(listed)}"})
        elif step[0] == "poll":
            await dashboards[step[1]].check()
    for dashboard in dashboards:
        await dashboard.check()


async def class_of(service: ClassroomService, students: int, exercises: int) -> tuple[str, list]:
    class_id = await new_room(service, exercises)
    roster = [await service.store.join(class_id, f"student {n}", f"{class_id}-{n}")
              for n in range(students)]  # fmt: skip
    return class_id, roster


async def test_one_submission_sends_one_row_of_a_full_class(service: ClassroomService) -> None:
    """100 students x 8 exercises, every cell tried (every cell a button): the whole grid,
    then a poll after one submission."""
    class_id, roster = await class_of(service, 100, 8)
    listed = await service.store.exercises(class_id)
    for n, student in enumerate(roster):
        for m, exercise in enumerate(listed):
            status = ("passed", "failed", "error")[(n + m) % 3]
            await service.store.record(graded(class_id, student.id, exercise.id, status, n))
    dashboard = Dashboard(service, class_id, projector_view=False)
    page = await dashboard.open()
    await service.store.record(graded(class_id, roster[42].id, listed[3].id, "passed"))
    _, headers, body = await dashboard.poll()
    assert headers["hx-reswap"] == "none" and page.diffs == 1
    assert re.findall(r'<tr id="row-([^"]+)"', body) == [roster[42].id]
    whole, one_row = dashboard.sent
    print(f"\n100 x 8 grid: whole {whole} bytes, a one-row diff {one_row} bytes")
    assert one_row < 8_000 and one_row * 25 < whole
    await dashboard.check()


async def test_a_newcomer_is_appended_and_a_removed_student_deleted(
    service: ClassroomService,
) -> None:
    class_id, roster = await class_of(service, 3, 2)
    dashboard = Dashboard(service, class_id, projector_view=False)
    page = await dashboard.open()
    newcomer = await service.store.join(class_id, "Newcomer", f"{class_id}-new")
    _, _, body = await dashboard.poll()
    assert 'hx-swap-oob="beforeend:#grid-body"' in body and "4 students" in body
    assert page.rows()[-1] == f"row-{newcomer.id}"
    await service.store.remove_student(class_id, roster[1].id)
    _, _, body = await dashboard.poll()
    assert f'<tr id="row-{roster[1].id}" hx-swap-oob="delete">' in body
    assert f"row-{roster[1].id}" not in page.rows() and len(page.rows()) == 3
    assert page.wholes == 0 and page.diffs == 2
    await dashboard.check()


async def test_a_student_who_came_and_went_between_two_polls_is_not_sent(
    service: ClassroomService,
) -> None:
    class_id, _ = await class_of(service, 2, 1)
    dashboard = Dashboard(service, class_id, projector_view=True)
    page = await dashboard.open()
    passing = await service.store.join(class_id, "Passing", f"{class_id}-passing")
    await service.store.remove_student(class_id, passing.id)
    _, _, body = await dashboard.poll()
    assert passing.id not in body and page.diffs == 1
    await dashboard.check()


async def test_what_rows_cannot_bring_up_to_date_gets_the_whole_grid(
    service: ClassroomService,
) -> None:
    class_id, roster = await class_of(service, 2, 1)
    dashboard = Dashboard(service, class_id, projector_view=False)
    page = await dashboard.open()
    version = page.version
    for since in (-1, version + 1000):  # none yet; one this class never had (another database)
        await service.store.add_exercise(class_id, dict(EXERCISE))
        status, headers, body = await dashboard.answer(since)
        assert status == 200 and "hx-reswap" not in headers and 'id="class-grid"' in body
    await dashboard.poll()  # from before the exercises were added: a column more
    assert page.wholes == 1 and page.diffs == 0
    late = await service.store.join(class_id, "Late clock", f"{class_id}-late")
    earlier = roster[0].joined_at - timedelta(seconds=1)  # another replica's clock, behind
    async with service.store.database.transaction() as connection:
        await connection.execute(
            update(students).where(students.c.id == late.id).values(joined_at=earlier)
        )
    await dashboard.check()
    assert page.wholes == 2 and page.rows()[0] == f"row-{late.id}"


async def test_a_class_without_exercises_is_sent_whole(service: ClassroomService) -> None:
    class_id, _ = await class_of(service, 0, 0)
    dashboard = Dashboard(service, class_id, projector_view=False)
    page = await dashboard.open()
    await service.store.join(class_id, "First", f"{class_id}-first")  # the table appears
    await dashboard.check()
    assert page.wholes == 1 and len(page.rows()) == 1


# ---- over HTTP, on the live server -------------------------------------------------------------

HTMX = {"HX-Request": "true"}


@pytest.fixture
def room(classroom_server: LiveServer) -> Classroom:
    return new_class(classroom_server, "Grid diffs")


@pytest.fixture
def teacher(classroom_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=classroom_server.url, headers={"accept": "text/html"},
                      timeout=60) as client:  # fmt: skip
        assert client.post("/teach/login", data={"code": TEACHER_CODE}).status_code == 303
        yield client


class LivePage:
    """A page of the live server's, polled by hand."""

    def __init__(self, teacher: httpx.Client, room: Classroom, projector: bool) -> None:
        self.teacher, self.url = teacher, f"/teach/{room.id}/grid"
        self.params = {"projector": "1"} if projector else {}
        self.page = GridPage(self.get(-1).text)

    def get(self, since: int) -> httpx.Response:
        return self.teacher.get(self.url, params={"v": since, **self.params}, headers=HTMX)

    def poll(self) -> httpx.Response:
        response = self.get(self.page.version)
        self.page.apply(response.status_code, response.headers, response.text)
        return response

    def check(self) -> None:
        assert self.page.html() == parse(self.get(-1).text).elements()[0].html()


def test_the_dashboard_and_the_projector_poll_diffs(room: Classroom, teacher: httpx.Client) -> None:
    exercise = room.add(DOUBLE)
    ann, bo = room.join("Ann"), room.join("Bo")
    dashboard, projector = LivePage(teacher, room, False), LivePage(teacher, room, True)
    assert dashboard.poll().status_code == 204
    room.submit(ann, exercise["id"], RIGHT)
    for live in (dashboard, projector):
        answer = live.poll()
        assert answer.headers["hx-reswap"] == "none"
        assert re.findall(r'<tr id="row-([^"]+)"', answer.text) == [ann.id]
        assert 'data-status="passed"' in answer.text
        live.check()
    assert "&amp;projector=1" in answer.text and "hx-confirm" not in answer.text  # the projector's
    cy = room.join("Cy")
    removed = teacher.delete(f"/api/v1/classes/{room.id}/students/{bo.id}",
                             headers={"Authorization": f"Bearer {TEACHER_CODE}"})  # fmt: skip
    assert removed.status_code == 204
    answer = dashboard.poll()
    assert f"row-{cy.id}" in answer.text and f'"row-{bo.id}" hx-swap-oob="delete"' in answer.text
    assert dashboard.page.rows() == [f"row-{ann.id}", f"row-{cy.id}"]
    dashboard.check()
    assert dashboard.page.diffs == 2 and dashboard.page.wholes == 0


def test_an_unknown_version_gets_the_whole_grid(room: Classroom, teacher: httpx.Client) -> None:
    room.join("Ann")
    dashboard = LivePage(teacher, room, False)
    for since in (-1, dashboard.page.version + 10**6):
        answer = dashboard.get(since)
        assert answer.status_code == 200 and "hx-reswap" not in answer.headers
        assert answer.text.lstrip().startswith('<section id="class-grid"')
