"""The classroom's tables on SQLite and PostgreSQL: a submission and its cell in one
transaction (passed stays passed, attempts count every one, only the latest keeps its
report), concurrent submissions lose nothing, names are unique per class, deleting a class or
its retention running out leaves no row of it behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from app.classroom.store import ClassroomStore, NewSubmission
from app.config import Settings
from app.errors import Conflict, NotFound
from app.store import Database
from app.store.database import database_url as resolve_url
from app.store.schema import (
    broadcasts,
    cells,
    classes,
    exercises,
    removed_students,
    students,
    submissions,
)

pytestmark = pytest.mark.anyio
TABLES = (classes, exercises, students, submissions, cells, broadcasts)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ClassroomStore]:
    database = Database(resolve_url(Settings(database_url=SecretStr(database_url))))
    await database.open()
    try:
        yield ClassroomStore(database)
    finally:
        await database.close()


EXERCISE = {
    "title": "t", "title_zh": None, "prompt": "p", "prompt_zh": None, "starter": "",
    "reference": "y = 1", "checks": [{"kind": "no_error"}], "lesson_id": None,
    "seed_key": "00" * 32,
}  # fmt: skip


def submission(class_id: str, student_id: str, exercise_id: str, status: str) -> NewSubmission:
    raised = status == "error"
    return NewSubmission(
        class_id=class_id, student_id=student_id, exercise_id=exercise_id, code=f"# {status}",
        seed=2**32 - 1, passed=status == "passed", status=status, checks=[],
        report=json.dumps({"ok": not raised}), error_type="RuntimeError" if raised else None,
        error_title="Shapes do not match" if raised else None,
    )  # fmt: skip


async def rows(store: ClassroomStore, table) -> int:
    async with store.database.transaction() as connection:
        return (await connection.execute(select(func.count()).select_from(table))).scalar_one()


async def setup(store: ClassroomStore, token: str = "token-ann") -> tuple[str, str, str]:
    klass = await store.create_class("c", "en")
    exercise = await store.add_exercise(klass.id, dict(EXERCISE))
    student = await store.join(klass.id, "Ann", token)
    return klass.id, student.id, exercise.id


async def test_a_cell_follows_its_submissions_and_passed_stays_passed(
    store: ClassroomStore,
) -> None:
    class_id, student_id, exercise_id = await setup(store)
    versions = [await store.version(class_id)]
    for status in ("error", "failed", "passed", "error"):
        await store.record(submission(class_id, student_id, exercise_id, status))
        versions.append(await store.version(class_id))
    [cell] = await store.cells(class_id)
    assert (cell.status, cell.attempts) == ("passed", 4)
    assert cell.error_type == "RuntimeError"  # the latest submission's, for the errors list
    assert versions == sorted(set(versions))  # every submission moved the version
    latest = await store.latest(student_id, exercise_id)
    assert latest is not None and latest.code == "# error" and latest.report_data() == {"ok": False}
    assert latest.seed == 2**32 - 1
    async with store.database.transaction() as connection:
        kept = (await connection.execute(
            select(func.count()).select_from(submissions).where(submissions.c.report.is_not(None))
        )).scalar_one()  # fmt: skip
    assert kept == 1 and await rows(store, submissions) == 4


async def test_concurrent_submissions_of_one_cell_are_all_counted(store: ClassroomStore) -> None:
    class_id, student_id, exercise_id = await setup(store)
    await asyncio.gather(*(
        store.record(submission(class_id, student_id, exercise_id, "failed")) for _ in range(12)
    ))  # fmt: skip
    [cell] = await store.cells(class_id)
    assert cell.attempts == 12 and await rows(store, submissions) == 12


async def test_names_are_unique_per_class_and_tokens_find_their_student(
    store: ClassroomStore,
) -> None:
    class_id, student_id, _ = await setup(store)
    with pytest.raises(Conflict):
        await store.join(class_id, "Ann", "another-token")
    other = await store.create_class("other", "en")
    assert (await store.join(other.id, "Ann", "token-2")).class_id == other.id
    found = await store.student_by_token("token-ann")
    assert found is not None and found.id == student_id
    assert await store.student_by_token("token-an") is None


async def test_deleting_a_class_leaves_nothing_of_it(store: ClassroomStore) -> None:
    class_id, student_id, exercise_id = await setup(store)
    kept, kept_student, kept_exercise = await setup(store, token="token-kept")
    for room, who, what in (
        (class_id, student_id, exercise_id),
        (kept, kept_student, kept_exercise),
    ):
        await store.record(submission(room, who, what, "passed"))
        await store.broadcast(room, "x = 1")
    assert await store.delete_class(class_id)
    assert not await store.delete_class(class_id)
    assert [await rows(store, table) for table in TABLES] == [1, 1, 1, 1, 1, 1]
    assert await store.get_class(kept) is not None and await store.last_broadcast(kept)


async def test_removing_a_student_takes_their_submissions(store: ClassroomStore) -> None:
    class_id, student_id, exercise_id = await setup(store)
    await store.record(submission(class_id, student_id, exercise_id, "failed"))
    assert not await store.remove_student("another class", student_id)
    assert await store.remove_student(class_id, student_id)
    assert await store.cells(class_id) == [] and await rows(store, submissions) == 0
    assert await store.student_by_token("token-ann") is None


async def test_classes_past_their_retention_are_deleted(store: ClassroomStore) -> None:
    old = await store.create_class("old", "en", now=datetime.now(UTC) - timedelta(days=400))
    exercise = await store.add_exercise(old.id, dict(EXERCISE))
    student = await store.join(old.id, "Bo", "token-bo")
    await store.record(submission(old.id, student.id, exercise.id, "passed"))
    recent = await store.create_class("recent", "en")
    assert await store.remove_expired(timedelta(days=365)) == 1
    assert await store.get_class(old.id) is None and await store.get_class(recent.id)
    assert await rows(store, submissions) == 0 and await rows(store, students) == 0


async def test_a_closed_class_is_not_found_by_its_code(store: ClassroomStore) -> None:
    klass = await store.create_class("c", "en")
    assert await store.open_class_by_code(klass.join_code) == klass
    assert await store.close_class(klass.id) and not await store.close_class(klass.id)
    assert await store.open_class_by_code(klass.join_code) is None


async def test_a_submission_of_a_student_removed_meanwhile_is_not_found(
    store: ClassroomStore,
) -> None:
    """Graded while the teacher removed the student (on another replica, say): a 404 of
    the store's own, never a constraint error (a 500), and no row is left behind."""
    class_id, student_id, exercise_id = await setup(store)
    assert await store.remove_student(class_id, student_id)
    with pytest.raises(NotFound):
        await store.record(submission(class_id, student_id, exercise_id, "passed"))
    assert await rows(store, submissions) == 0 and await rows(store, cells) == 0


async def test_each_change_marks_what_it_touched_with_the_version_it_made(
    store: ClassroomStore,
) -> None:
    """What a dashboard's poll reads (grid_store.py): since a version, the cells of the
    students whose cells changed, newcomers with their join's version, the removed students
    the page had; an exercise moves the version rows cannot diff past."""
    class_id, ann, exercise = await setup(store)
    bo = await store.join(class_id, "Bo", "token-bo")
    since = await store.version(class_id)
    await store.record(submission(class_id, ann, exercise, "error"))
    cy = await store.join(class_id, "Cy", "token-cy")
    assert await store.remove_student(class_id, bo.id)
    read = await store.grid_since(class_id, since)
    assert read is not None and read.klass.version == since + 3
    assert [(c.student_id, c.attempts) for c in read.cells] == [(ann, 1)]
    assert read.removed == [bo.id] and [s.name for s in read.roster] == ["Ann", "Cy"]
    assert read.joined[cy.id] == since + 2 and read.joined[ann] < since
    assert [c.error_type for c in read.failing] == ["RuntimeError"]
    assert read.layout_version < since
    whole = await store.grid_since(class_id, None)
    assert whole is not None and len(whole.cells) == 1 and whole.removed == []
    await store.add_exercise(class_id, dict(EXERCISE))
    assert (await store.grid_since(class_id, since)).layout_version == since + 4
    assert await store.grid_since("no such class", None) is None
    assert await store.delete_class(class_id) and await rows(store, removed_students) == 0


async def test_concurrent_submissions_each_mark_their_cell_with_their_own_version(
    store: ClassroomStore,
) -> None:
    class_id, ann, exercise = await setup(store)
    others = [(await store.join(class_id, f"s{n}", f"token-{n}")).id for n in range(7)]
    since = await store.version(class_id)
    await asyncio.gather(*(
        store.record(submission(class_id, who, exercise, "failed")) for who in [ann, *others]
    ))  # fmt: skip
    async with store.database.transaction() as connection:
        marks = sorted((await connection.execute(select(cells.c.version))).scalars())
    assert marks == list(range(since + 1, since + 9)) and await store.version(class_id) == since + 8


async def test_a_removal_racing_submissions_never_deadlocks(store: ClassroomStore) -> None:
    """On PostgreSQL a removal that deleted the cells before it locked the student met a
    submission that held the student (its foreign key) and waited for the cell: deadlock."""

    async def submit(class_id: str, student_id: str, exercise_id: str) -> None:
        with contextlib.suppress(NotFound):  # removed first: the store's own 404
            await store.record(submission(class_id, student_id, exercise_id, "failed"))

    for attempt in range(20):
        class_id, student_id, exercise_id = await setup(store, token=f"token-{attempt}")
        racing = [submit(class_id, student_id, exercise_id) for _ in range(6)]
        racing.insert(3, store.remove_student(class_id, student_id))
        await asyncio.gather(*racing)
        assert await store.cells(class_id) == [] and await store.students(class_id) == []
