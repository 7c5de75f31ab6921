"""The classroom API under /api/v1 (../shared/API.md, "The classroom API (v1)"), plus a few
additions: one class, closing and deleting a class, removing a student, the ready-made sets
and exercises made from a lesson or a set.

Mounted only when `PLAYGROUND_TEACHER_CODE` is set; otherwise every path here is a 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, StrictStr

from app.classroom import serialize
from app.classroom.auth import GateDep, MemberDep, StudentDep, Teacher, TeacherDep
from app.classroom.exercise_sets import exercise_sets, find_set
from app.classroom.from_lesson import exercise_from_lesson
from app.classroom.models import ClassIn, CodeIn, ExerciseIn, JoinIn
from app.classroom.service import ClassroomService
from app.classroom.store import ClassRow, ExerciseRow
from app.errors import Forbidden, NotFound
from app.lessons import find_lesson
from app.schemas import RunRequest
from app.web.deps import ClientDep

router = APIRouter(prefix="/api/v1", tags=["classroom"])


async def classroom(request: Request) -> ClassroomService:
    return request.app.state.classroom


ClassroomDep = Annotated[ClassroomService, Depends(classroom)]


async def teachers_class(class_id: str, _: TeacherDep, service: ClassroomDep) -> ClassRow:
    return await service.class_or_404(class_id)


ClassDep = Annotated[ClassRow, Depends(teachers_class)]


class LessonIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lesson_id: StrictStr


# ---- classes ---------------------------------------------------------------------------------


@router.post("/classes", status_code=201)
async def create_class(body: ClassIn, _: TeacherDep, service: ClassroomDep) -> dict[str, Any]:
    """A new class with its join code (6-10 characters, no look-alikes)."""
    return serialize.class_json(await service.create_class(body), service.base_url)


@router.get("/classes")
async def list_classes(_: TeacherDep, service: ClassroomDep) -> dict[str, Any]:
    rows = await service.store.classes()
    return {"classes": [serialize.class_json(row, service.base_url) for row in rows]}


@router.get("/classes/{class_id}")
async def one_class(klass: ClassDep, service: ClassroomDep) -> dict[str, Any]:
    return serialize.class_json(klass, service.base_url)


@router.post("/classes/{class_id}/close")
async def close_class(klass: ClassDep, service: ClassroomDep) -> dict[str, Any]:
    """No more joins or submissions; the data stays until the class is deleted."""
    await service.close_class(klass)
    return serialize.class_json(await service.class_or_404(klass.id), service.base_url)


@router.delete("/classes/{class_id}", status_code=204)
async def delete_class(klass: ClassDep, service: ClassroomDep) -> Response:
    """The class and all its data: exercises, students, submissions, broadcasts."""
    await service.delete_class(klass)
    return Response(status_code=204)


# ---- exercises -------------------------------------------------------------------------------


@router.post("/classes/{class_id}/exercises", status_code=201)
async def add_exercise(
    body: ExerciseIn, klass: ClassDep, service: ClassroomDep, client: ClientDep
) -> dict[str, Any]:
    """An exercise; its reference runs first and must pass its own checks (else 422)."""
    row = await service.add_exercise(klass, body, client)
    return serialize.exercise_json(row, with_reference=True)


@router.post("/classes/{class_id}/exercises/from-lesson", status_code=201)
async def add_from_lesson(
    body: LessonIn, klass: ClassDep, service: ClassroomDep, client: ClientDep
) -> dict[str, Any]:
    row = await lesson_exercise(service, klass, body.lesson_id, client)
    return serialize.exercise_json(row, with_reference=True)


async def lesson_exercise(
    service: ClassroomService, klass: ClassRow, lesson_id: str, client: str
) -> ExerciseRow:
    body = await exercise_body_from_lesson(service, lesson_id, client)
    return await service.add_exercise(klass, body, client)


async def exercise_body_from_lesson(
    service: ClassroomService, lesson_id: str, client: str
) -> ExerciseIn:
    lesson = find_lesson(lesson_id)
    if lesson is None:
        raise NotFound(f"there is no lesson called {lesson_id!r}")
    report = await service.runs.run(RunRequest(code=lesson.code, trace=False), client)
    return exercise_from_lesson(lesson, report)


@router.get("/exercise-sets")
async def list_sets(_: TeacherDep) -> dict[str, Any]:
    """The ready-made sets (snippets/exercises/), each with its exercises' ids and titles."""
    return {
        "sets": [
            {
                "id": s.id,
                "title": s.title,
                "title_zh": s.title_zh,
                "exercises": [
                    {"id": e.id, "title": e.body.title, "title_zh": e.body.title_zh}
                    for e in s.exercises
                ],
            }
            for s in exercise_sets()
        ]
    }


@router.post("/classes/{class_id}/exercise-sets/{set_id}", status_code=201)
async def add_set(
    set_id: str, klass: ClassDep, service: ClassroomDep, client: ClientDep
) -> dict[str, Any]:
    """Every exercise of a ready-made set, added to the class in the set's order."""
    rows = await add_ready_set(service, klass, set_id, client)
    return {"exercises": [serialize.exercise_json(row, with_reference=True) for row in rows]}


async def add_ready_set(
    service: ClassroomService, klass: ClassRow, set_id: str, client: str
) -> list[ExerciseRow]:
    found = find_set(set_id)
    if found is None:
        raise NotFound(f"there is no exercise set called {set_id!r}")
    return [await service.add_exercise(klass, e.body, client) for e in found.exercises]


@router.get("/classes/{class_id}/exercises")
async def list_exercises(class_id: str, who: MemberDep, service: ClassroomDep) -> dict[str, Any]:
    """The class's exercises; a student of the class gets them without `reference`."""
    if isinstance(who, Teacher):
        await service.class_or_404(class_id)
    elif who.class_id != class_id:
        raise Forbidden("this is another class's data")
    rows = await service.store.exercises(class_id)
    teacher = isinstance(who, Teacher)
    return {"exercises": [serialize.exercise_json(row, with_reference=teacher) for row in rows]}


# ---- students --------------------------------------------------------------------------------


@router.post("/join", status_code=201)
async def join(
    body: JoinIn, gate: GateDep, service: ClassroomDep, client: ClientDep
) -> dict[str, Any]:
    """Join an open class under a display name: the answer's `token` is the student's.
    Unknown codes count as wrong attempts (a join code is a credential)."""
    gate.refuse_if_throttled(client)
    try:
        student, token, klass = await service.join(body)
    except NotFound:
        gate.failed(client)
        raise
    return {
        "student": {"id": student.id, "name": student.name},
        "token": token,
        "class": {"id": klass.id, "name": klass.name, "lang": klass.lang},
    }


@router.get("/me")
async def me(student: StudentDep, service: ClassroomDep) -> dict[str, Any]:
    return await service.me(student)


@router.post("/exercises/{exercise_id}/submissions")
async def submit(
    exercise_id: str, body: CodeIn, student: StudentDep, service: ClassroomDep, client: ClientDep
) -> Response:
    """Run and grade the code; the answer is the Submission (its checks, its report)."""
    exercise = await service.exercise_for(student, exercise_id)
    graded = await service.submit(student, exercise, body.code, client)
    return Response(
        serialize.submission_body(graded.row, graded.lang), media_type="application/json"
    )


# ---- the teacher's views ---------------------------------------------------------------------


@router.get("/classes/{class_id}/progress")
async def progress(klass: ClassDep, service: ClassroomDep) -> dict[str, Any]:
    return await service.progress(klass)


@router.get("/classes/{class_id}/progress.csv")
async def progress_csv(klass: ClassDep, service: ClassroomDep) -> Response:
    return Response(
        await service.progress_csv(klass),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="progress-{klass.id}.csv"'},
    )


@router.get("/classes/{class_id}/students/{student_id}/latest")
async def latest(
    student_id: str, klass: ClassDep, service: ClassroomDep, exercise_id: str | None = None
) -> Response:
    """That student's latest submission (to `exercise_id`, when given), with its code."""
    row = await service.latest(klass, student_id, exercise_id)
    return Response(serialize.submission_body(row, klass.lang), media_type="application/json")


@router.delete("/classes/{class_id}/students/{student_id}", status_code=204)
async def remove_student(student_id: str, klass: ClassDep, service: ClassroomDep) -> Response:
    """The student, their submissions and their token (which then answers 401)."""
    if not await service.store.remove_student(klass.id, student_id):
        raise NotFound("this class has no such student")
    return Response(status_code=204)


@router.post("/classes/{class_id}/broadcast")
async def broadcast(body: CodeIn, klass: ClassDep, service: ClassroomDep) -> dict[str, Any]:
    """Offer a snippet to every student of the class (their /me and page, within 2 s)."""
    return await service.broadcast(klass, body.code)
