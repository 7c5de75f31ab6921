"""The classroom's rows as the store returns them (frozen dataclasses, one per table), the
columns each is read from (the fields are the columns, in order), and the queries of a
class's rows in the grid's order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from app.store.schema import cells, classes, exercises, students, submissions


@dataclass(frozen=True, slots=True)
class ClassRow:
    id: str
    name: str
    lang: str
    join_code: str
    created_at: datetime
    closed_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class ExerciseRow:
    id: str
    class_id: str
    position: int
    title: str
    title_zh: str | None
    prompt: str
    prompt_zh: str | None
    starter: str
    reference: str
    checks: list[dict[str, Any]]
    lesson_id: str | None
    seed_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StudentRow:
    id: str
    class_id: str
    name: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class CellRow:
    student_id: str
    exercise_id: str
    status: str
    attempts: int
    last_at: datetime
    passed_at: datetime | None
    latest_submission_id: str
    error_type: str | None
    error_title: str | None


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    id: str
    class_id: str
    student_id: str
    exercise_id: str
    code: str
    seed: int
    passed: bool
    status: str
    checks: list[dict[str, Any]]
    report: str | None
    """The run's report as JSON text (only the latest submission of a cell keeps it)."""
    error_type: str | None
    error_title: str | None
    created_at: datetime

    def report_data(self) -> dict[str, Any] | None:
        return None if self.report is None else json.loads(self.report)


@dataclass(frozen=True, slots=True)
class NewSubmission:
    class_id: str
    student_id: str
    exercise_id: str
    code: str
    seed: int
    passed: bool
    status: str
    checks: list[dict[str, Any]]
    report: str
    error_type: str | None
    error_title: str | None


def class_row(row: Any) -> ClassRow:
    return ClassRow(*row)


def exercise_row(row: Any) -> ExerciseRow:
    values = row._asdict()
    values["checks"] = json.loads(values["checks"])
    return ExerciseRow(**values)


def submission_row(row: Any) -> SubmissionRow:
    values = row._asdict()
    values["checks"] = json.loads(values["checks"])
    return SubmissionRow(**values)


CLASS_COLUMNS = [classes.c[name] for name in ClassRow.__dataclass_fields__]
EXERCISE_COLUMNS = [exercises.c[name] for name in ExerciseRow.__dataclass_fields__]
STUDENT_COLUMNS = [students.c[name] for name in StudentRow.__dataclass_fields__]
CELL_COLUMNS = [cells.c[name] for name in CellRow.__dataclass_fields__]
SUBMISSION_COLUMNS = [submissions.c[name] for name in SubmissionRow.__dataclass_fields__]


def students_query(class_id: str, *extra: Any) -> Select:
    """The class's students in the grid's order (`extra` columns after theirs)."""
    return (
        select(*STUDENT_COLUMNS, *extra)
        .where(students.c.class_id == class_id)
        .order_by(students.c.joined_at, students.c.id)
    )


def exercises_query(class_id: str) -> Select:
    return (
        select(*EXERCISE_COLUMNS)
        .where(exercises.c.class_id == class_id)
        .order_by(exercises.c.position)
    )


def cells_query(class_id: str) -> Select:
    return select(*CELL_COLUMNS).where(cells.c.class_id == class_id)
