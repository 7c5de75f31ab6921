"""The classroom's tables (app/store/schema.py): classes, exercises, students, submissions,
the grid's cells, broadcasts. Every method is one transaction, on SQLite or PostgreSQL alike.

Ids are random (`secrets`), never counters, so nobody walks another class's data by guessing
neighbours; a student's bearer token is kept only as its SHA-256. A submission and the cell
it changes are written in one transaction, with the class's `version` bumped, so a dashboard
polling that version sees either both or neither; what a change touched (a cell, a join, a
removal) is marked with the version it made, so the dashboard can ask for only that
(grid_store.py).

On PostgreSQL two writes must never wait on each other crosswise: a write that touches a
student's row (a submission's foreign key, a removal) does so before anything else of theirs
(a removal locks it first) and before the class's row.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Table, and_, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.classroom.grid_store import GridRead, read_grid
from app.classroom.rows import (
    CELL_COLUMNS,
    CLASS_COLUMNS,
    EXERCISE_COLUMNS,
    STUDENT_COLUMNS,
    SUBMISSION_COLUMNS,
    CellRow,
    ClassRow,
    ExerciseRow,
    NewSubmission,
    StudentRow,
    SubmissionRow,
    cells_query,
    class_row,
    exercise_row,
    exercises_query,
    students_query,
    submission_row,
)
from app.errors import Conflict, NotFound
from app.store.database import Database
from app.store.schema import (
    broadcasts,
    cells,
    classes,
    exercises,
    removed_students,
    students,
    submissions,
)
from app.store.shares import now_utc

ID_BYTES = 8
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join codes: capitals and digits without look-alikes (no 0/O, 1/I/L)."""
JOIN_CODE_LENGTH = 8
_ATTEMPTS = 8


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ClassroomStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # ---- classes -------------------------------------------------------------------------

    async def create_class(self, name: str, lang: str, now: datetime | None = None) -> ClassRow:
        now = now or now_utc()
        for _ in range(_ATTEMPTS):
            row = ClassRow(new_id(), name, lang, new_join_code(), now, None, 0)
            try:
                async with self.database.transaction() as connection:
                    await connection.execute(insert(classes).values(**_fields(row)))
            except IntegrityError:
                continue  # a join code taken (31^8 codes): draw another
            return row
        raise RuntimeError("could not find an unused join code")

    async def classes(self) -> list[ClassRow]:
        query = select(*CLASS_COLUMNS).order_by(classes.c.created_at.desc(), classes.c.id)
        async with self.database.transaction() as connection:
            return [class_row(row) for row in await connection.execute(query)]

    async def get_class(self, class_id: str) -> ClassRow | None:
        query = select(*CLASS_COLUMNS).where(classes.c.id == class_id)
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else class_row(row)

    async def open_class_by_code(self, join_code: str) -> ClassRow | None:
        query = select(*CLASS_COLUMNS).where(
            classes.c.join_code == join_code, classes.c.closed_at.is_(None)
        )
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else class_row(row)

    async def version(self, class_id: str) -> int | None:
        query = select(classes.c.version).where(classes.c.id == class_id)
        async with self.database.transaction() as connection:
            return (await connection.execute(query)).scalar()

    async def close_class(self, class_id: str, now: datetime | None = None) -> bool:
        async with self.database.transaction() as connection:
            result = await connection.execute(
                update(classes)
                .where(classes.c.id == class_id, classes.c.closed_at.is_(None))
                .values(closed_at=now or now_utc(), version=classes.c.version + 1)
            )
        return result.rowcount == 1

    async def delete_class(self, class_id: str) -> bool:
        """The class and everything of it (its rows cascade)."""
        async with self.database.transaction() as connection:
            await _delete_class_rows(connection, [class_id])
            result = await connection.execute(delete(classes).where(classes.c.id == class_id))
        return result.rowcount == 1

    async def remove_expired(self, retention: timedelta, now: datetime | None = None) -> int:
        """Delete the classes created more than `retention` ago, with all their data."""
        cutoff = (now or now_utc()) - retention
        async with self.database.transaction() as connection:
            old = [
                row.id
                for row in await connection.execute(
                    select(classes.c.id).where(classes.c.created_at < cutoff).limit(100)
                )
            ]
            if old:
                await _delete_class_rows(connection, old)
                await connection.execute(delete(classes).where(classes.c.id.in_(old)))
        return len(old)

    # ---- exercises -----------------------------------------------------------------------

    async def add_exercise(self, class_id: str, fields: dict[str, Any]) -> ExerciseRow:
        """`fields`: the exercise's own (title ... lesson_id, seed_key); it goes last."""
        now = now_utc()
        async with self.database.transaction() as connection:
            position = (
                await connection.execute(
                    select(func.coalesce(func.max(exercises.c.position), 0)).where(
                        exercises.c.class_id == class_id
                    )
                )
            ).scalar_one() + 1
            row = ExerciseRow(
                id=new_id(),
                class_id=class_id,
                position=position,
                created_at=now,
                **fields,
            )
            values = _fields(row) | {"checks": json.dumps(row.checks)}
            await connection.execute(insert(exercises).values(**values))
            await _bump(connection, class_id, layout=True)  # a new column: no row diff shows it
        return row

    async def exercises(self, class_id: str) -> list[ExerciseRow]:
        async with self.database.transaction() as connection:
            return [
                exercise_row(row) for row in await connection.execute(exercises_query(class_id))
            ]

    async def get_exercise(self, exercise_id: str) -> ExerciseRow | None:
        query = select(*EXERCISE_COLUMNS).where(exercises.c.id == exercise_id)
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else exercise_row(row)

    # ---- students ------------------------------------------------------------------------

    async def join(self, class_id: str, name: str, token: str) -> StudentRow:
        """A new student; `Conflict` (409) when the name is taken in that class."""
        row = StudentRow(new_id(), class_id, name, now_utc())
        try:
            async with self.database.transaction() as connection:
                version = await _bump(connection, class_id)
                if version is None:
                    raise NotFound("no open class has this join code")
                await connection.execute(
                    insert(students).values(
                        **_fields(row), token_hash=token_hash(token), joined_version=version
                    )
                )
        except IntegrityError:
            raise Conflict(f"the name {name!r} is already taken in this class") from None
        return row

    async def student_by_token(self, token: str) -> StudentRow | None:
        query = select(*STUDENT_COLUMNS).where(students.c.token_hash == token_hash(token))
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else StudentRow(*row)

    async def get_student(self, student_id: str) -> StudentRow | None:
        query = select(*STUDENT_COLUMNS).where(students.c.id == student_id)
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else StudentRow(*row)

    async def students(self, class_id: str) -> list[StudentRow]:
        async with self.database.transaction() as connection:
            return [StudentRow(*row) for row in await connection.execute(students_query(class_id))]

    async def remove_student(self, class_id: str, student_id: str) -> bool:
        """Delete the student with their cells and submissions; leave a mark of the removal
        (`removed_students`) for the dashboards that still show their row."""
        where = and_(students.c.id == student_id, students.c.class_id == class_id)
        async with self.database.transaction() as connection:
            joined = (
                await connection.execute(
                    select(students.c.joined_version).where(where).with_for_update()
                )
            ).scalar()  # locked first: a submission then waits for the removal, not crosswise
            if joined is None:
                return False
            for table in (cells, submissions):
                await connection.execute(delete(table).where(table.c.student_id == student_id))
            await connection.execute(delete(students).where(where))
            version = await _bump(connection, class_id)
            await connection.execute(
                insert(removed_students).values(
                    student_id=student_id,
                    class_id=class_id,
                    joined_version=joined,
                    version=version,
                )
            )
        return True

    # ---- submissions and the grid --------------------------------------------------------

    async def record(self, new: NewSubmission) -> SubmissionRow:
        """Store a graded submission and update its cell (marked with the class's new
        version), in one transaction."""
        row = SubmissionRow(id=new_id(), created_at=now_utc(), **_fields(new))
        cell = {
            "student_id": new.student_id,
            "exercise_id": new.exercise_id,
            "class_id": new.class_id,
            "status": new.status,
            "attempts": 1,
            "last_at": row.created_at,
            "passed_at": row.created_at if new.passed else None,
            "latest_submission_id": row.id,
            "error_type": new.error_type,
            "error_title": new.error_title,
        }
        try:
            async with self.database.transaction() as connection:
                values = _fields(row) | {"checks": json.dumps(row.checks)}
                await connection.execute(insert(submissions).values(**values))
                await connection.execute(
                    update(submissions)
                    .where(
                        submissions.c.student_id == new.student_id,
                        submissions.c.exercise_id == new.exercise_id,
                        submissions.c.id != row.id,
                        submissions.c.report.is_not(None),
                    )
                    .values(report=None)
                )
                cell["version"] = await _bump(connection, new.class_id)
                upsert = _upsert(connection, cells).values(**cell)
                excluded = upsert.excluded
                await connection.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[cells.c.student_id, cells.c.exercise_id],
                        set_={
                            "status": case(
                                (cells.c.status == "passed", "passed"), else_=excluded.status
                            ),
                            "attempts": cells.c.attempts + 1,
                            "last_at": excluded.last_at,
                            "passed_at": func.coalesce(cells.c.passed_at, excluded.passed_at),
                            "latest_submission_id": excluded.latest_submission_id,
                            "error_type": excluded.error_type,
                            "error_title": excluded.error_title,
                            "version": excluded.version,
                        },
                    )
                )
        except IntegrityError:  # the student was removed (or the class deleted) meanwhile
            raise NotFound("this student is no longer in the class") from None
        return row

    async def cells(self, class_id: str) -> list[CellRow]:
        async with self.database.transaction() as connection:
            return [CellRow(*row) for row in await connection.execute(cells_query(class_id))]

    async def grid(
        self, class_id: str
    ) -> tuple[list[StudentRow], list[ExerciseRow], list[CellRow]]:
        """Students, exercises and cells as of one moment (one transaction: one wait for
        SQLite's connection, not three)."""
        async with self.database.transaction() as connection:
            roster = [
                StudentRow(*row) for row in await connection.execute(students_query(class_id))
            ]
            exercise_rows = await connection.execute(exercises_query(class_id))
            listed = [exercise_row(row) for row in exercise_rows]
            cell_rows = [CellRow(*row) for row in await connection.execute(cells_query(class_id))]
        return roster, listed, cell_rows

    async def grid_since(self, class_id: str, since: int | None) -> GridRead | None:
        """The dashboard's grid, whole (`since` None) or what changed after version `since`,
        as of one moment; None when there is no such class."""
        async with self.database.transaction(snapshot=True) as connection:
            return await read_grid(connection, class_id, since)

    async def cells_of(self, student_id: str) -> list[CellRow]:
        query = select(*CELL_COLUMNS).where(cells.c.student_id == student_id)
        async with self.database.transaction() as connection:
            return [CellRow(*row) for row in await connection.execute(query)]

    async def latest(self, student_id: str, exercise_id: str | None = None) -> SubmissionRow | None:
        """The student's latest submission (to this exercise, when given)."""
        latest = select(cells.c.latest_submission_id).where(cells.c.student_id == student_id)
        if exercise_id is not None:
            latest = latest.where(cells.c.exercise_id == exercise_id)
        latest = latest.order_by(cells.c.last_at.desc()).limit(1).scalar_subquery()
        query = select(*SUBMISSION_COLUMNS).where(submissions.c.id == latest)
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else submission_row(row)

    # ---- broadcast -----------------------------------------------------------------------

    async def broadcast(self, class_id: str, code: str) -> datetime:
        at = now_utc()
        async with self.database.transaction() as connection:
            upsert = _upsert(connection, broadcasts).values(class_id=class_id, code=code, at=at)
            await connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=[broadcasts.c.class_id], set_={"code": code, "at": at}
                )
            )
            await _bump(connection, class_id)
        return at

    async def open_class_broadcast(self, join_code: str) -> tuple[str, datetime] | None:
        """The latest broadcast of the open class with this join code (one read)."""
        query = (
            select(broadcasts.c.code, broadcasts.c.at)
            .join(classes, classes.c.id == broadcasts.c.class_id)
            .where(classes.c.join_code == join_code, classes.c.closed_at.is_(None))
        )
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else (row.code, row.at)

    async def last_broadcast(self, class_id: str) -> tuple[str, datetime] | None:
        query = select(broadcasts.c.code, broadcasts.c.at).where(broadcasts.c.class_id == class_id)
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else (row.code, row.at)


def _fields(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


async def _bump(connection: AsyncConnection, class_id: str, *, layout: bool = False) -> int | None:
    """Advance the class's version (and, with `layout`, the version rows cannot diff past);
    the new version, the mark of this transaction's change (None: no such class)."""
    advanced = classes.c.version + 1
    values = {"version": advanced} | ({"layout_version": advanced} if layout else {})
    result = await connection.execute(
        update(classes)
        .where(classes.c.id == class_id)
        .values(**values)
        .returning(classes.c.version)
    )
    return result.scalar()


async def _delete_class_rows(connection: AsyncConnection, class_ids: list[str]) -> None:
    """Children first: the cascade is declared, but an explicit order holds on either
    engine whatever its foreign-key setting."""
    for table in (cells, submissions, broadcasts, removed_students, students, exercises):
        await connection.execute(delete(table).where(table.c.class_id.in_(class_ids)))


def _upsert(connection: AsyncConnection, table: Table) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
