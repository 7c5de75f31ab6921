"""The teacher's pages: `/teach` (log in with the teacher code; classes), `/teach/{class}`
(the live grid, common errors, a cell's latest code and report, send to class, exercises
from a set, a lesson or a form with a live reference preview), and the projector view.

The login is a session in the store (as the access code's), so any replica serves the
dashboard. The grid polls `/teach/{class}/grid?v=` every half second with the version it
shows: a 204 while the class's `version` is unchanged; else only the rows changed since, as
out-of-band swaps, or the whole grid when the store cannot say which (grid_view.py).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from app.classroom import grid_view
from app.classroom.api import ClassroomDep, add_ready_set, exercise_body_from_lesson
from app.classroom.auth import TEACHER_COOKIE, GateDep
from app.classroom.exercise_sets import exercise_sets
from app.classroom.models import ClassIn, ExerciseIn
from app.classroom.page_kit import render_page, title_for
from app.classroom.serialize import stamp
from app.classroom.store import ClassRow
from app.errors import InvalidRequest, Unauthorized
from app.web.access import open_session
from app.web.deps import ClientDep
from app.web.pages import is_htmx, language, lessons_by_topic

router = APIRouter(include_in_schema=False)
CHECKS_EXAMPLE = '[{"kind": "no_error"}, {"kind": "equal", "name": "y"}]'


async def teacher_page(request: Request, gate: GateDep) -> None:
    """A teacher's session, or off to the login (a partial's request gets 401 + HX-Redirect)."""
    session = request.cookies.get(TEACHER_COOKIE, "")
    if session and await gate.sessions.valid(session, gate.fingerprint):
        return
    raise NoTeacherSession("log in with the teacher code first")


class NoTeacherSession(Unauthorized):
    """Answered by `to_login`, not as an error."""


TeacherPage = Annotated[None, Depends(teacher_page)]


async def page_class(class_id: str, _: TeacherPage, service: ClassroomDep) -> ClassRow:
    return await service.class_or_404(class_id)


ClassPage = Annotated[ClassRow, Depends(page_class)]


@router.get("/teach")
async def teach(request: Request, service: ClassroomDep, gate: GateDep) -> Response:
    session = request.cookies.get(TEACHER_COOKIE, "")
    if not (session and await gate.sessions.valid(session, gate.fingerprint)):
        return render_page(request, "teach_login.html", {"wrong": False})
    classes = await service.store.classes()
    return render_page(request, "teach.html", {"classes": classes, "stamp": stamp})


@router.post("/teach/login")
async def login(
    request: Request, gate: GateDep, client: ClientDep, code: Annotated[str, Form()] = ""
) -> Response:
    gate.refuse_if_throttled(client)
    if not gate.is_teacher_code(code):
        gate.failed(client)
        return render_page(request, "teach_login.html", {"wrong": True}, 401)
    return await open_session(
        request, gate.sessions, gate.fingerprint, gate.settings.session_hours, TEACHER_COOKIE,
        "/teach",
    )  # fmt: skip


@router.post("/teach/logout")
async def logout(request: Request, gate: GateDep) -> Response:
    await gate.sessions.revoke(request.cookies.get(TEACHER_COOKIE, ""))
    response = RedirectResponse("/teach", status_code=303)
    response.delete_cookie(TEACHER_COOKIE)
    return response


@router.post("/teach/classes")
async def create_class(
    _: TeacherPage,
    service: ClassroomDep,
    name: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
) -> Response:
    try:
        body = ClassIn(name=name, lang=lang)
    except ValidationError as exc:
        raise InvalidRequest(_problems(exc)) from None
    klass = await service.create_class(body)
    return RedirectResponse(f"/teach/{klass.id}", status_code=303)


@router.get("/teach/{class_id}")
async def dashboard(request: Request, klass: ClassPage, service: ClassroomDep) -> Response:
    context = {
        **await grid_view.whole(request, service, klass.id, projector_view=False),
        "sets": exercise_sets(),
        "topics": lessons_by_topic(),
        "form": _empty_form(),
        "preview": None,
    }
    return render_page(request, "teach_class.html", context)


@router.get("/teach/{class_id}/projector")
async def projector(request: Request, klass: ClassPage, service: ClassroomDep) -> Response:
    context = await grid_view.whole(request, service, klass.id, projector_view=True)
    return render_page(request, "teach_projector.html", context)


@router.get("/teach/{class_id}/grid")
async def grid(
    request: Request, klass: ClassPage, service: ClassroomDep, v: int = -1, projector: int = 0
) -> Response:
    """204 while nothing changed since version `v`; else what changed, or the whole grid."""
    return await grid_view.poll(request, service, klass, v, projector_view=bool(projector))


@router.get("/teach/{class_id}/cell")
async def cell(
    request: Request, klass: ClassPage, service: ClassroomDep, student: str, exercise: str
) -> Response:
    """A student's latest code and report for one exercise, read-only; an empty panel (404)
    for a student or exercise that is not this class's."""
    found = await service.store.get_student(student)
    chosen = await service.store.get_exercise(exercise)
    if found is None or chosen is None or {found.class_id, chosen.class_id} != {klass.id}:
        return render_page(request, "partials/cell_detail.html",
                           {"student": None, "exercise": None}, 404)  # fmt: skip
    latest = await service.store.latest(found.id, chosen.id)
    lang = language(request)
    context = {
        "student": found, "exercise": chosen, "submission": latest,
        "report": latest.report_data() if latest else None,
        "exercise_title": title_for(chosen, lang) if chosen else "",
        "code_lines": latest.code.splitlines() if latest else [],
    }  # fmt: skip
    return render_page(request, "partials/cell_detail.html", context)


# ---- changing the class ----------------------------------------------------------------------


@router.post("/teach/{class_id}/broadcast")
async def broadcast(
    request: Request, klass: ClassPage, service: ClassroomDep, code: Annotated[str, Form()] = ""
) -> Response:
    sent = await service.broadcast(klass, code)
    return render_page(request, "partials/broadcast_sent.html", {"sent": sent})


@router.post("/teach/{class_id}/students/{student_id}/remove")
async def remove_student(
    request: Request, student_id: str, klass: ClassPage, service: ClassroomDep
) -> Response:
    await service.store.remove_student(klass.id, student_id)
    return _back(request, klass)


@router.post("/teach/{class_id}/close")
async def close(request: Request, klass: ClassPage, service: ClassroomDep) -> Response:
    await service.close_class(klass)
    return _back(request, klass)


@router.post("/teach/{class_id}/delete")
async def delete(klass: ClassPage, service: ClassroomDep) -> Response:
    await service.delete_class(klass)
    return RedirectResponse("/teach", status_code=303)


@router.post("/teach/{class_id}/exercises/from-set")
async def from_set(
    request: Request,
    klass: ClassPage,
    service: ClassroomDep,
    client: ClientDep,
    set_id: Annotated[str, Form()],
) -> Response:
    await add_ready_set(service, klass, set_id, client)
    return _back(request, klass)


@router.post("/teach/{class_id}/exercises/from-lesson")
async def from_lesson(
    request: Request,
    klass: ClassPage,
    service: ClassroomDep,
    client: ClientDep,
    lesson_id: Annotated[str, Form()],
    edit: Annotated[str, Form()] = "",
) -> Response:
    """One click: the exercise is made; with `edit`, the form is filled with it instead."""
    body = await exercise_body_from_lesson(service, lesson_id, client)
    if edit:
        return _form_partial(request, klass, _form_of(body), None)
    await service.add_exercise(klass, body, client)
    return _back(request, klass)


@router.post("/teach/{class_id}/exercises/preview")
async def preview(
    request: Request, klass: ClassPage, service: ClassroomDep, client: ClientDep
) -> Response:
    form = await _form_fields(request)
    body, problem = _parse_exercise(form)
    if body is None:
        return _form_partial(request, klass, form, {"invalid": problem})
    result = await service.preview(body, "00" * 32, client, klass.lang)
    return _form_partial(request, klass, form, {"result": result})


@router.post("/teach/{class_id}/exercises")
async def create_exercise(
    request: Request, klass: ClassPage, service: ClassroomDep, client: ClientDep
) -> Response:
    form = await _form_fields(request)
    body, problem = _parse_exercise(form)
    if body is None:
        return _form_partial(request, klass, form, {"invalid": problem})
    try:
        await service.add_exercise(klass, body, client)
    except InvalidRequest:
        result = await service.preview(body, "00" * 32, client, klass.lang)
        return _form_partial(request, klass, form, {"result": result})
    return _back(request, klass)


FORM_FIELDS = ("title", "title_zh", "prompt", "prompt_zh", "starter", "reference", "checks")


async def _form_fields(request: Request) -> dict[str, str]:
    data = await request.form()
    return {key: str(data.get(key, "")) for key in FORM_FIELDS}


def _empty_form() -> dict[str, str]:
    return {**dict.fromkeys(FORM_FIELDS, ""), "checks": CHECKS_EXAMPLE}


def _form_of(body: ExerciseIn) -> dict[str, str]:
    data = body.model_dump(mode="json", exclude_unset=True)
    form = {key: data.get(key) or "" for key in FORM_FIELDS}
    form["checks"] = json.dumps([c for c in data["checks"]], ensure_ascii=False, indent=1)
    return form


def _parse_exercise(form: dict[str, str]) -> tuple[ExerciseIn | None, str]:
    try:
        checks = json.loads(form["checks"] or "[]")
    except json.JSONDecodeError as exc:
        return None, f"checks: not JSON ({exc.msg}, line {exc.lineno})"
    fields: dict[str, Any] = {k: v for k, v in form.items() if k != "checks" and v}
    try:
        return ExerciseIn.model_validate({**fields, "checks": checks}), ""
    except ValidationError as exc:
        return None, _problems(exc)


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def _form_partial(
    request: Request, klass: ClassRow, form: dict[str, str], preview: dict[str, Any] | None
) -> Response:
    return render_page(
        request, "partials/exercise_form.html", {"klass": klass, "form": form, "preview": preview}
    )


def _back(request: Request, klass: ClassRow) -> Response:
    """Back to the dashboard: htmx follows HX-Redirect, a plain form the 303."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": f"/teach/{klass.id}"})
    return RedirectResponse(f"/teach/{klass.id}", status_code=303)


async def to_login(request: Request, exc: Exception) -> Response:
    """A page without the teacher's session: to the login (a partial: 401 + HX-Redirect)."""
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": "/teach"})
    return RedirectResponse("/teach", status_code=303)
