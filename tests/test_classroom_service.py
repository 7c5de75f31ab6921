"""The classroom's runs under the server's limits, its reference runs bounded by the cache,
and a restart that loses nothing (classes, tokens, submissions, the teacher's login)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.classroom.grading import SEED_POOL
from tests.classroom import DOUBLE, RIGHT, TEACHER_CODE, Classroom, Student, new_class
from tests.conftest import LiveServer, start_server

pytestmark = pytest.mark.slow  # servers of their own, restarted: ~65 s, run by `make test-slow`


def metric(server: LiveServer, name: str) -> float:
    text = httpx.get(f"{server.url}/metrics").text
    return float(re.search(rf"^{name} (\S+)$", text, re.MULTILINE).group(1))


def test_reference_runs_are_bounded_by_the_seed_pool(tmp_path) -> None:
    """A new exercise's draws are run in the background (draw 0 by its creation), then no
    number of submissions makes another; after a restart (cache empty) they are made as
    submissions need them, still at most one per draw."""
    live = start_server(tmp_path, rate_per_minute=0, teacher_code=TEACHER_CODE)
    try:
        room = new_class(live, "many submissions")
        exercise = room.add(DOUBLE)
        deadline = time.monotonic() + 180
        while metric(live, "playground_reference_cache_entries") < SEED_POOL:
            assert time.monotonic() < deadline, "the exercise's draws were never warmed"
            time.sleep(0.5)
        assert metric(live, "playground_reference_runs") == SEED_POOL - 1
        students = [room.join() for _ in range(4)]
        submit_many(room, students, exercise["id"], 2 * SEED_POOL)
        assert metric(live, "playground_reference_runs") == SEED_POOL - 1
    finally:
        live.stop()
    live = start_server(tmp_path, rate_per_minute=0, teacher_code=TEACHER_CODE)
    try:
        room.url = live.url
        submit_many(room, students, exercise["id"], 3 * SEED_POOL)
        made = metric(live, "playground_reference_runs")
        assert 1 <= made <= SEED_POOL
        assert metric(live, "playground_reference_cache_entries") == made
    finally:
        live.stop()


def submit_many(room: Classroom, students: list[Student], exercise_id: str, count: int) -> None:
    def submit(n: int) -> bool:
        return room.submit(students[n % len(students)], exercise_id, RIGHT)["passed"]

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(submit, range(count)))


def test_classroom_runs_count_against_the_clients_rate(tmp_path) -> None:
    """The student's rate limit applies to submissions as to runs (429, Retry-After); the
    reference runs the server makes for them do not use it up."""
    live = start_server(tmp_path, rate_per_minute=1, rate_burst=3, teacher_code=TEACHER_CODE)
    try:
        room = new_class(live, "limited")
        exercise = room.add(DOUBLE)  # one of the teacher's three
        student = room.join()
        answers = [room.submit_raw(student, exercise["id"], RIGHT) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json()["error"] == "rate_limited"
        assert int(answers[2].headers["retry-after"]) >= 1
        assert room.http.post(f"{live.url}/api/v1/run", json={"code": "x = 1"}).status_code == 429
    finally:
        live.stop()


def test_a_restart_loses_nothing(tmp_path) -> None:
    live = start_server(tmp_path, rate_per_minute=0, teacher_code=TEACHER_CODE)
    try:
        room = new_class(live, "before the restart")
        exercise = room.add(DOUBLE)
        student = room.join("Ann")
        first = room.submit(student, exercise["id"], RIGHT)
        httpx.post(f"{live.url}/api/v1/classes/{room.id}/broadcast", json={"code": "b = 1"},
                   headers=room.teacher)  # fmt: skip
        browser = httpx.Client(base_url=live.url)
        login = browser.post("/teach/login", data={"code": TEACHER_CODE})
        assert login.status_code == 303
        progress = room.progress()
    finally:
        live.stop()
    live = start_server(tmp_path, rate_per_minute=0, teacher_code=TEACHER_CODE)
    try:
        room.url = browser.base_url = live.url
        assert room.progress() | {"class": None} == progress | {"class": None}
        me = httpx.get(f"{live.url}/api/v1/me", headers=student.auth).json()
        assert me["exercises"][0]["status"] == "passed" and me["broadcast"]["code"] == "b = 1"
        latest = httpx.get(
            f"{live.url}/api/v1/classes/{room.id}/students/{student.id}/latest",
            headers=room.teacher,
        ).json()
        assert latest["id"] == first["id"] and latest["code"] == RIGHT
        assert browser.get(f"/teach/{room.id}").status_code == 200  # still logged in
        assert room.submit(student, exercise["id"], "y = 1\n")["passed"] is False
    finally:
        browser.close()
        live.stop()
