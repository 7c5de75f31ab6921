"""`ClassroomService`: classes, exercises, joins, graded submissions, progress, broadcast.

The one path the API and the pages share. Runs go through `RunService` like any other (the
same size checks, admission and per-client rate: 413, 422, 429 alike); the reference's runs
are the server's own (admitted, not charged to the student's rate) and cached per seed draw
(`references.py`). A submission runs at the same time as the reference run it needs, if any,
so a cold cache costs a slot, not twice the wait.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from app.classroom import serialize
from app.classroom.grading import (
    SEED_POOL,
    CheckResult,
    Draw,
    draw,
    grade,
    grade_spec,
    passed_all,
    read_run,
)
from app.classroom.models import CHECKS, ClassIn, ExerciseIn, JoinIn, check_json
from app.classroom.references import ReferenceCache
from app.classroom.row_cache import BROADCAST_TTL_S, RowCache, TtlCache
from app.classroom.store import (
    ClassroomStore,
    ClassRow,
    ExerciseRow,
    NewSubmission,
    StudentRow,
    SubmissionRow,
)
from app.classroom.values import Graded
from app.config import Settings
from app.errors import Conflict, Forbidden, InvalidRequest, NotFound, PlaygroundError
from app.schemas import RunRequest, RunResponse
from app.service import RunService

REFERENCE_CLIENT = "classroom-reference"
"""The admission key of the server's own reference runs (never rate-limited)."""
WARM_BACKOFF_S = 0.25
"""How long the background warming waits while students' runs queue for a slot."""


@dataclass(frozen=True, slots=True)
class GradedSubmission:
    row: SubmissionRow
    results: list[CheckResult]
    report: RunResponse
    lang: str
    """The class's language: the one `detail` is given in."""


@dataclass(frozen=True, slots=True)
class Preview:
    """A reference run against its own checks, as the teacher's form shows it."""

    report: RunResponse
    results: list[CheckResult]
    graded: Graded | None

    @property
    def passed(self) -> bool:
        return passed_all(self.results)


def parsed_checks(exercise: ExerciseRow) -> list[BaseModel]:
    return CHECKS.validate_python(exercise.checks)


class ClassroomService:
    def __init__(self, settings: Settings, store: ClassroomStore, runs: RunService) -> None:
        self.settings = settings
        self.store = store
        self.runs = runs
        self.base_url = settings.public_base_url()
        self.retention = timedelta(days=settings.class_retention_days)
        self.references = ReferenceCache(self._run_reference)
        self.rows = RowCache()
        self.broadcasts: TtlCache[tuple[str, datetime] | None] = TtlCache(BROADCAST_TTL_S)
        self._to_warm: list[ExerciseRow] = []
        self._warming: asyncio.Task[None] | None = None

    # ---- classes and exercises (the teacher) ---------------------------------------------

    async def create_class(self, body: ClassIn) -> ClassRow:
        return await self.store.create_class(body.name, body.lang)

    async def class_or_404(self, class_id: str) -> ClassRow:
        found = await self.store.get_class(class_id)
        if found is None:
            raise NotFound(f"there is no class with the id {class_id!r}")
        return found

    async def close_class(self, klass: ClassRow) -> None:
        await self.store.close_class(klass.id)
        self.rows.forget(klass.id)

    async def delete_class(self, klass: ClassRow) -> None:
        await self.store.delete_class(klass.id)
        self.rows.forget(klass.id)

    async def preview(self, body: ExerciseIn, seed_key: str, client: str, lang: str) -> Preview:
        """Run the reference once (draw 0) and grade it against its own checks."""
        for code in (body.starter, body.reference):
            self.runs.check_source(code)
        seeds = draw(bytes.fromhex(seed_key), 0, list(body.checks))
        report = await self.runs.run(
            RunRequest(code=body.reference, seed=seeds.seed, trace=False, lang=lang),
            client,
            grade=grade_spec(list(body.checks), seeds),
        )
        values = read_run(report, list(body.checks), seeds)
        return Preview(report, grade(list(body.checks), values, values.graded), values.graded)

    async def add_exercise(self, klass: ClassRow, body: ExerciseIn, client: str) -> ExerciseRow:
        """Store an exercise whose reference passes its own checks; 422 naming the checks
        it fails otherwise."""
        seed_key = secrets.token_hex(32)
        preview = await self.preview(body, seed_key, client, klass.lang)
        if not preview.passed:
            raise InvalidRequest(
                {
                    "message": "the reference fails its own checks, so no submission could pass",
                    "checks": [r.to_json(klass.lang) for r in preview.results],
                }
            )
        row = await self.store.add_exercise(
            klass.id,
            {
                "title": body.title,
                "title_zh": body.title_zh,
                "prompt": body.prompt,
                "prompt_zh": body.prompt_zh,
                "starter": body.starter,
                "reference": body.reference,
                "checks": [check_json(c) for c in body.checks],
                "lesson_id": body.lesson_id,
                "seed_key": seed_key,
            },
        )
        self.references.put((row.id, row.seed_key, 0), preview.graded)  # the same draw
        self.warm(row)
        return row

    def warm(self, exercise: ExerciseRow) -> None:
        """Run the reference for the exercise's other seed draws in the background, one run
        at a time for the whole server and only while no run waits for a slot, so that
        submissions find them cached (a bounded cost: `SEED_POOL` runs per exercise). A draw
        still missing is run when a submission needs it."""
        self._to_warm.append(exercise)
        if self._warming is None or self._warming.done():
            self._warming = asyncio.create_task(self._warm_all(), name="classroom-warm")

    async def _warm_all(self) -> None:
        admission = self.runs.admission
        while self._to_warm:
            exercise = self._to_warm.pop(0)
            checks = parsed_checks(exercise)
            if grade_spec(checks, _draw(exercise, checks, 0)) is None:
                continue
            for index in range(1, SEED_POOL):
                while admission.waiting or admission.running >= admission.max_running:
                    await asyncio.sleep(WARM_BACKOFF_S)  # students first
                try:
                    await self.references.get(exercise, checks, _draw(exercise, checks, index))
                except PlaygroundError:  # the sandbox stopping, say: lazily, when needed
                    self._to_warm.clear()
                    return

    # ---- students --------------------------------------------------------------------------

    async def join(self, body: JoinIn) -> tuple[StudentRow, str, ClassRow]:
        klass = await self.store.open_class_by_code(body.join_code)
        if klass is None:
            raise NotFound("no open class has this join code")
        token = secrets.token_urlsafe(32)
        student = await self.store.join(klass.id, body.name, token)
        return student, token, klass

    async def exercise_for(self, student: StudentRow, exercise_id: str) -> ExerciseRow:
        """The exercise, if it is the student's class's: 404 when there is none, 403 when
        it is another class's."""
        exercise = await self.rows.exercise(exercise_id, self.store.get_exercise)
        if exercise is None:
            raise NotFound(f"there is no exercise with the id {exercise_id!r}")
        if exercise.class_id != student.class_id:
            raise Forbidden("this exercise belongs to another class")
        return exercise

    async def submit(
        self, student: StudentRow, exercise: ExerciseRow, code: str, client: str
    ) -> GradedSubmission:
        """Run the submission under a seed drawn here, grade it, store it."""
        klass = await self.rows.klass(student.class_id, self.store.get_class)
        if klass is None:
            raise NotFound("this class no longer exists")
        if klass.closed_at is not None:
            raise Conflict("this class is closed: submissions are no longer taken")
        self.runs.check_source(code)
        checks = parsed_checks(exercise)
        seeds = _draw(exercise, checks, secrets.randbelow(SEED_POOL))
        spec = grade_spec(checks, seeds)
        reference = (
            asyncio.ensure_future(self.references.get(exercise, checks, seeds)) if spec else None
        )
        try:
            report = await self.runs.run(
                RunRequest(code=code, seed=seeds.seed, lang=klass.lang), client, grade=spec
            )
            expected = await reference if reference is not None else None
        finally:
            if reference is not None and not reference.done():
                reference.cancel()  # only this waiter: the shared run goes on (shielded)
        results = grade(checks, read_run(report, checks, seeds), expected)
        passed = passed_all(results)
        error = report.error
        row = await self.store.record(
            NewSubmission(
                class_id=klass.id,
                student_id=student.id,
                exercise_id=exercise.id,
                code=code,
                seed=seeds.seed,
                passed=passed,
                status="passed" if passed else "error" if error else "failed",
                checks=[
                    {"check": r.check, "passed": r.passed, "details": r.details} for r in results
                ],
                report=serialize.stored_report(report),
                error_type=error.type[:256] if error else None,
                error_title=(
                    error.explanation.title[:300] if error and error.explanation else None
                ),
            )
        )
        return GradedSubmission(row, results, report, klass.lang)

    async def me(self, student: StudentRow) -> dict[str, Any]:
        klass = await self.class_or_404(student.class_id)
        exercises = await self.store.exercises(klass.id)
        cells = {c.exercise_id: c for c in await self.store.cells_of(student.id)}
        broadcast = await self.store.last_broadcast(klass.id)
        return {
            "student": serialize.student_json(student),
            "class": {
                "id": klass.id,
                "name": klass.name,
                "lang": klass.lang,
                "closed_at": serialize.stamp(klass.closed_at),
            },
            "exercises": [
                {
                    "exercise": serialize.exercise_json(e, with_reference=False),
                    "status": serialize.cell_status(cell := cells.get(e.id)),
                    "attempts": 0 if cell is None else cell.attempts,
                }
                for e in exercises
            ],
            "broadcast": None
            if broadcast is None
            else {"code": broadcast[0], "at": serialize.stamp(broadcast[1])},
        }

    # ---- the teacher's views ---------------------------------------------------------------

    async def progress(self, klass: ClassRow) -> dict[str, Any]:
        roster, exercises, cells = await self._grid(klass)
        return serialize.progress_json(klass, self.base_url, roster, exercises, cells)

    async def progress_csv(self, klass: ClassRow) -> str:
        return serialize.progress_csv(*await self._grid(klass))

    async def _grid(self, klass: ClassRow) -> tuple[list, list, list]:
        return await self.store.grid(klass.id)

    async def latest(
        self, klass: ClassRow, student_id: str, exercise_id: str | None
    ) -> SubmissionRow:
        student = await self.store.get_student(student_id)
        if student is None or student.class_id != klass.id:
            raise NotFound("this class has no such student")
        found = await self.store.latest(student.id, exercise_id)
        if found is None:
            raise NotFound("this student has no submission for that yet")
        return found

    async def broadcast(self, klass: ClassRow, code: str) -> dict[str, Any]:
        self.runs.check_source(code)
        if not code.strip():
            raise InvalidRequest("there is no code to send")
        at = await self.store.broadcast(klass.id, code)
        self.broadcasts.forget(klass.join_code)
        return {"code": code, "at": serialize.stamp(at)}

    async def broadcast_for_code(self, join_code: str) -> tuple[str, datetime] | None:
        """What the students' pages poll: the open class's latest broadcast, read from the
        store at most once per `BROADCAST_TTL_S` and join code, however many pages ask."""
        return await self.broadcasts.get(
            join_code, lambda: self.store.open_class_broadcast(join_code)
        )

    async def remove_expired(self) -> int:
        return await self.store.remove_expired(self.retention)

    # ---- reference runs --------------------------------------------------------------------

    async def _run_reference(
        self, exercise: ExerciseRow, checks: list[BaseModel], seeds: Draw
    ) -> Graded | None:
        klass = await self.store.get_class(exercise.class_id)
        report = await self.runs.run(
            RunRequest(
                code=exercise.reference,
                seed=seeds.seed,
                trace=False,
                lang=klass.lang if klass else "en",
            ),
            REFERENCE_CLIENT,
            grade=grade_spec(checks, seeds),
            metered=False,
        )
        return read_run(report, checks, seeds).graded


def _draw(exercise: ExerciseRow, checks: list[BaseModel], index: int) -> Draw:
    return draw(bytes.fromhex(exercise.seed_key), index, checks)
