"""The dashboard's grid read from the store: whole, or what changed after a version the page
holds, from one snapshot (so the version read is exactly the state read).

Every change the grid shows marks what it touched with the class version it made, in its own
transaction (store.py): a submission its cell (`cells.version`), a join the student
(`students.joined_version`), a removal a row of `removed_students`, an exercise the class
(`layout_version`). So "what changed since n" is a few indexed reads that any replica
answers the same, after a restart too; nothing of it is kept in a server's memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.classroom.rows import (
    CLASS_COLUMNS,
    CellRow,
    ClassRow,
    ExerciseRow,
    StudentRow,
    cells_query,
    exercise_row,
    exercises_query,
    students_query,
)
from app.store.schema import cells, classes, removed_students, students

FAILING = ("error", "failed")


@dataclass(frozen=True, slots=True)
class GridRead:
    klass: ClassRow
    layout_version: int
    """A page holding an older version than this cannot be brought up to date by rows."""
    roster: list[StudentRow]
    """Every student, in the grid's order."""
    joined: dict[str, int]
    """Each student's join version."""
    exercises: list[ExerciseRow]
    cells: list[CellRow]
    """Every cell of the class (a whole read), or every cell of each student with a cell
    changed after the version asked about."""
    failing: list[CellRow]
    """Each student's latest cell in error or failed: what the common errors are made of."""
    removed: list[str]
    """The students removed after the version asked about who had joined by then."""


async def read_grid(
    connection: AsyncConnection, class_id: str, since: int | None
) -> GridRead | None:
    """The grid in `connection`'s snapshot: whole when `since` is None, else its changes
    after version `since`. None when there is no such class."""
    head = (
        await connection.execute(
            select(*CLASS_COLUMNS, classes.c.layout_version).where(classes.c.id == class_id)
        )
    ).first()
    if head is None:
        return None
    joined: dict[str, int] = {}
    roster = []
    for *fields, joined_version in await connection.execute(
        students_query(class_id, students.c.joined_version)
    ):
        student = StudentRow(*fields)
        joined[student.id] = joined_version
        roster.append(student)
    exercises = [exercise_row(row) for row in await connection.execute(exercises_query(class_id))]
    klass = ClassRow(*head[:-1])
    if since is None:
        every = [CellRow(*row) for row in await connection.execute(cells_query(class_id))]
        failing = [CellRow(*row) for row in await connection.execute(_latest_failing(class_id))]
        return GridRead(klass, head.layout_version, roster, joined, exercises, every, failing, [])
    changed = select(cells.c.student_id).where(
        cells.c.class_id == class_id, cells.c.version > since
    )
    touched = cells_query(class_id).where(cells.c.student_id.in_(changed))
    removed = select(removed_students.c.student_id).where(
        removed_students.c.class_id == class_id,
        removed_students.c.version > since,
        removed_students.c.joined_version <= since,
    )
    return GridRead(
        klass,
        head.layout_version,
        roster,
        joined,
        exercises,
        [CellRow(*row) for row in await connection.execute(touched)],
        [CellRow(*row) for row in await connection.execute(_latest_failing(class_id))],
        list((await connection.execute(removed)).scalars()),
    )


def _latest_failing(class_id: str) -> Select:
    """Each student's latest cell in error or failed (at most one a student, where all their
    failing cells would be hundreds of rows on every poll)."""
    rank = func.row_number().over(
        partition_by=cells.c.student_id, order_by=(cells.c.last_at.desc(), cells.c.exercise_id)
    )
    failing = cells_query(class_id).add_columns(rank.label("rank"))
    failing = failing.where(cells.c.status.in_(FAILING)).subquery()
    return select(*(failing.c[name] for name in CellRow.__dataclass_fields__)).where(
        failing.c.rank == 1
    )
