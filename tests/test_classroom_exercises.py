"""The ready-made exercise sets (snippets/exercises/): at least 30, every topic of the seeds,
both languages; and each one graded for real: its reference passes, its starter fails, and
its typical wrong answer fails with a detail that says what is wrong.

All of a set goes through the API like a teacher's and a student's would (one class, one
student, three submissions per exercise, a few at a time): marked `slow` (about 40 s of
runs), run by .ci/run after `make test` (`make test-slow`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from app.classroom.exercise_sets import ReadyExercise, exercise_sets, load_sets
from app.lessons import find_lesson
from tests.classroom import Classroom, failing, new_class
from tests.conftest import LiveServer

SEED_TOPICS = {"creation", "dtypes", "view-reshape", "matmul", "broadcasting", "autograd",
               "detach-no-grad", "modules", "dataloader", "training"}  # fmt: skip
ALL = [exercise for s in exercise_sets() for exercise in s.exercises]


def test_there_are_at_least_30_exercises_over_every_seed_topic() -> None:
    assert len(ALL) >= 30
    assert {s.id for s in exercise_sets()} == SEED_TOPICS
    assert all(len(s.exercises) >= 3 for s in exercise_sets())
    assert len({e.id for e in ALL}) == len(ALL)


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_each_exercise_has_both_languages_and_real_lessons(exercise: ReadyExercise) -> None:
    body = exercise.body
    assert body.title and body.title_zh and body.prompt.strip() and body.prompt_zh.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body.prompt_zh + body.title_zh)
    assert body.starter != body.reference and exercise.wrong != body.reference
    assert body.lesson_id is None or find_lesson(body.lesson_id) is not None


def test_the_sets_load_from_the_snippets_folder_as_files(tmp_path) -> None:
    assert load_sets(tmp_path) == ()
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "set.toml").write_text('title = "One"\ntitle_zh = "一"\norder = 1\n')
    assert load_sets(tmp_path)[0].exercises == ()


@pytest.fixture(scope="module")
def graded(classroom_server: LiveServer) -> dict[str, dict[str, dict[str, Any]]]:
    """Every ready-made exercise added through the API (its reference runs), then its
    starter, its wrong answer and its reference submitted by one student."""
    room = new_class(classroom_server, "ready-made sets")
    added: dict[str, str] = {}
    for ready in exercise_sets():
        response = room.http.post(
            f"{room.url}/api/v1/classes/{room.id}/exercise-sets/{ready.id}", headers=room.teacher
        )
        assert response.status_code == 201, response.text
        for exercise, row in zip(ready.exercises, response.json()["exercises"], strict=True):
            assert row["title"] == exercise.body.title
            added[exercise.id] = row["id"]
    student = room.join("every exercise")

    def grade(item: tuple[ReadyExercise, str]) -> tuple[str, str, dict[str, Any]]:
        exercise, kind = item
        code = {"starter": exercise.body.starter, "wrong": exercise.wrong,
                "reference": exercise.body.reference}[kind]  # fmt: skip
        return exercise.id, kind, room.submit(student, added[exercise.id], code)

    jobs = [(e, kind) for e in ALL for kind in ("starter", "wrong", "reference")]
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with ThreadPoolExecutor(3) as pool:
        for exercise_id, kind, submission in pool.map(grade, jobs):
            results.setdefault(exercise_id, {})[kind] = submission
    return results


@pytest.mark.slow
@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_the_reference_passes_the_starter_and_the_wrong_answer_fail(
    graded: dict[str, dict[str, dict[str, Any]]], exercise: ReadyExercise
) -> None:
    outcome = graded[exercise.id]
    assert outcome["reference"]["passed"], failing(outcome["reference"])
    assert not outcome["starter"]["passed"]
    assert not outcome["wrong"]["passed"]
    details = [check["detail"] for check in failing(outcome["wrong"])]
    assert any(exercise.wrong_detail in detail for detail in details), details
    zh = [check["details"]["zh"] for check in failing(outcome["wrong"])]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in detail) for detail in zh), zh


@pytest.mark.slow
def test_a_set_added_twice_is_two_sets_of_exercises(classroom_server: LiveServer) -> None:
    room: Classroom = new_class(classroom_server, "twice")
    for _ in range(2):
        response = room.http.post(
            f"{room.url}/api/v1/classes/{room.id}/exercise-sets/matmul", headers=room.teacher
        )
        assert response.status_code == 201
    listed = room.http.get(f"{room.url}/api/v1/classes/{room.id}/exercises", headers=room.teacher)
    positions = [e["position"] for e in listed.json()["exercises"]]
    assert positions == sorted(positions) and len(set(positions)) == len(positions) == 8
    missing = room.http.post(
        f"{room.url}/api/v1/classes/{room.id}/exercise-sets/nope", headers=room.teacher
    )
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
