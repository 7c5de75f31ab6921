"""The student's pages: `/join` (or `/c/{code}`) asks a display name, then the playground with
the exercise panel; Check grades the editor's code; the teacher's broadcasts are offered.

A student is a cookie holding their token (HttpOnly, SameSite=Lax, kept for the class's
retention): closing the tab and coming back on the same device finds them again, without an
account. Their work survives a reload: the editor opens with their latest submission to the
exercise (the page's script also keeps an unsent draft in the browser).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from app.classroom.api import ClassroomDep
from app.classroom.auth import STUDENT_COOKIE, GateDep
from app.classroom.models import JoinIn
from app.classroom.page_kit import (
    ClassText,
    base_context,
    fragment,
    panel_context,
    render_page,
)
from app.classroom.serialize import stamp
from app.classroom.service import ClassroomService
from app.classroom.store import ClassRow, ExerciseRow, StudentRow
from app.errors import Conflict, NotFound
from app.web.deps import ClientDep
from app.web.pages import is_htmx, language, page, results_context

router = APIRouter(include_in_schema=False)


@router.get("/join")
async def join_form(request: Request, code: str = "") -> Response:
    return render_page(request, "join.html", {"join_code": code.strip().upper(), "problem": None,
                                              "name": ""})  # fmt: skip


@router.post("/join")
async def join(
    request: Request,
    service: ClassroomDep,
    gate: GateDep,
    client: ClientDep,
    join_code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    """Join, keep the token in a cookie, go to the class's page."""
    context = {"join_code": join_code.strip().upper(), "name": name}
    try:
        gate.refuse_if_throttled(client)
        body = JoinIn(join_code=join_code, name=name)
        _, token, klass = await service.join(body)
    except ValidationError:
        return render_page(request, "join.html", {**context, "problem": "join_invalid"}, 422)
    except NotFound:
        gate.failed(client)
        return render_page(request, "join.html", {**context, "problem": "join_unknown"}, 404)
    except Conflict:
        return render_page(request, "join.html", {**context, "problem": "join_taken"}, 409)
    response = RedirectResponse(f"/c/{klass.join_code}", status_code=303)
    response.set_cookie(
        STUDENT_COOKIE, token, httponly=True, samesite="lax",
        max_age=int(service.retention.total_seconds()), secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


async def class_by_code(service: ClassroomService, join_code: str) -> ClassRow:
    klass = await service.store.open_class_by_code(join_code.strip().upper())
    if klass is None:
        raise NotFound("no open class has this join code")
    return klass


async def student_of(request: Request, gate: Any, klass: ClassRow) -> StudentRow | None:
    token = request.cookies.get(STUDENT_COOKIE, "")
    student = await gate.store.student_by_token(token) if token else None
    return student if student is not None and student.class_id == klass.id else None


@router.get("/c/{join_code}")
async def class_page(
    request: Request, join_code: str, service: ClassroomDep, gate: GateDep, e: str = ""
) -> Response:
    """The playground with the exercise panel, or the join form for a newcomer."""
    klass = await class_by_code(service, join_code)
    student = await student_of(request, gate, klass)
    if student is None:
        context = {"join_code": klass.join_code, "problem": None, "name": "",
                   "class_name": klass.name}  # fmt: skip
        return render_page(request, "join.html", context)
    exercises = await service.store.exercises(klass.id)
    cells = await service.store.cells_of(student.id)
    current = pick_exercise(exercises, {c.exercise_id: c.status for c in cells}, e)
    latest = await service.store.latest(student.id, current.id) if current else None
    lang = language(request)
    panel = await _panel(service, klass, student, exercises, cells, current, latest, lang)
    code = latest.code if latest else current.starter if current else ""
    return page(
        request, code=code, page_path=f"/c/{klass.join_code}", lang=lang,
        extra={"classroom": panel, "ct": ClassText(lang)},
    )  # fmt: skip


def pick_exercise(
    exercises: list[ExerciseRow], statuses: dict[str, str], wanted: str
) -> ExerciseRow | None:
    """The one asked for, else the first not passed, else the first."""
    for exercise in exercises:
        if exercise.id == wanted:
            return exercise
    return next((x for x in exercises if statuses.get(x.id) != "passed"), None) or next(
        iter(exercises), None
    )


async def _panel(
    service: ClassroomService,
    klass: ClassRow,
    student: StudentRow,
    exercises: list[ExerciseRow],
    cells: list,
    current: ExerciseRow | None,
    latest: Any,
    lang: str,
) -> dict[str, Any]:
    return panel_context(
        klass=klass, student=student, exercises=exercises, cells=cells, current=current,
        latest=latest, broadcast=await service.store.last_broadcast(klass.id), lang=lang,
    )  # fmt: skip


@router.post("/c/{join_code}/check")
async def check(
    request: Request,
    join_code: str,
    service: ClassroomDep,
    gate: GateDep,
    client: ClientDep,
    code: Annotated[str, Form()] = "",
    exercise_id: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
) -> Response:
    """Grade the editor's code: the results (as Run shows them) and, out of band, the panel."""
    klass = await class_by_code(service, join_code)
    student = await student_of(request, gate, klass)
    if student is None:
        raise NotFound("join the class first")
    lang = language(request, lang)
    exercise = await service.exercise_for(student, exercise_id)
    graded = await service.submit(student, exercise, code, client)
    if not is_htmx(request):
        return RedirectResponse(f"/c/{klass.join_code}?e={exercise.id}", status_code=303)
    exercises = await service.store.exercises(klass.id)
    cells = await service.store.cells_of(student.id)
    panel = await _panel(service, klass, student, exercises, cells, exercise, graded.row, lang)
    context = base_context(request, lang)
    results = results_context(graded.report, code, lang)
    html = fragment(request, "partials/results.html", {**context, **results})
    html += fragment(request, "partials/exercise_panel.html",
                     {**context, "classroom": panel, "oob": True})  # fmt: skip
    return HTMLResponse(html)


@router.get("/c/{join_code}/broadcast")
async def broadcast_notice(
    request: Request, join_code: str, service: ClassroomDep, since: str = ""
) -> Response:
    """The teacher's latest snippet as a notice, or 204 when there is nothing newer."""
    found = await service.broadcast_for_code(join_code.strip().upper())
    if found is None or stamp(found[1]) == since:
        return Response(status_code=204)
    lang = language(request)
    html = fragment(request, "partials/broadcast_notice.html", {
        **base_context(request, lang), "join_code": join_code.strip().upper(),
        "broadcast": {"code": found[0], "at": stamp(found[1])},
    })  # fmt: skip
    return HTMLResponse(html)
