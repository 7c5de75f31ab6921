"""The live grid of `/teach/{class}` and its projector view: whole, or a poll's answer with
only what changed.

The page polls `/teach/{class}/grid?v=N` every half second with the version it shows. The
answer is 204 while the class is still at N. When the store can say what changed after N
(grid_store.py), it is only that, as out-of-band swaps of elements with stable ids (the
response's own swap is `none`): the rows of students with a changed cell, newcomers' rows
appended to the table's body, removed students' rows deleted, and the small parts that
always change (the poller with its new version, the header's count, the common errors).
Otherwise (N is -1, one this class never had, or one from before an exercise was added; the
class has no exercises; or a newcomer sorts before a student the page shows) the answer is
the whole grid, as the page first had it. With 100 students x 8 exercises a poll after one
submission sends one row, under 2% of the whole grid (tests/test_classroom_grid.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from fastapi import Request, Response

from app.classroom.grid_store import GridRead
from app.classroom.page_kit import STATUS_MARKS, ClassText, render_page, title_for
from app.classroom.rows import CellRow, ClassRow, ExerciseRow, StudentRow
from app.classroom.serialize import cell_status, class_json, common_errors
from app.classroom.service import ClassroomService
from app.errors import NotFound
from app.web.pages import language


class GridCell(NamedTuple):
    """One cell as the grid shows it, its words made once here: the grid is 100 x 8 cells,
    and Jinja looking up dict keys as attributes was most of its cost."""

    exercise_id: str
    status: str
    attempts: int
    mark: str
    label: str
    """The status in words (what a screen reader says)."""
    aria: str
    """Student, exercise and status: the cell button's label."""
    url: str


GridRow = tuple[StudentRow, list[GridCell]]


@dataclass(frozen=True, slots=True)
class GridDiff:
    """What a page holding an older version changes: rows it replaces, appends, deletes."""

    changed: list[StudentRow]
    joined: list[StudentRow]
    removed: list[str]


def diff_since(read: GridRead, since: int) -> GridDiff | None:
    """The rows that bring a page at version `since` up to `read`, or None when rows alone
    cannot: a version this class never had or one from before its exercises changed (a
    column more), no exercises (then there may be no table to put rows in), or a newcomer
    who sorts before a student the page shows (rows are only ever appended)."""
    if not read.layout_version <= since <= read.klass.version or not read.exercises:
        return None
    kept = [student for student in read.roster if read.joined[student.id] <= since]
    joined = read.roster[len(kept) :]
    if any(read.joined[student.id] <= since for student in joined):
        return None
    touched = {cell.student_id for cell in read.cells}
    return GridDiff([s for s in kept if s.id in touched], joined, read.removed)


async def poll(
    request: Request,
    service: ClassroomService,
    klass: ClassRow,
    since: int,
    *,
    projector_view: bool,
) -> Response:
    """A poll's answer for a page at version `since` (`klass` as read just before)."""
    if since == klass.version:
        return Response(status_code=204)
    if since >= 0:
        read = await _read(service, klass.id, since)
        diff = diff_since(read, since)
        if diff is not None:
            context = _diff_context(request, service, read, diff, projector_view)
            response = render_page(request, "partials/grid_diff.html", context)
            response.headers["HX-Reswap"] = "none"  # every part of it is swapped out of band
            return response
    context = await whole(request, service, klass.id, projector_view=projector_view)
    return render_page(request, "partials/class_grid.html", context)


async def whole(
    request: Request, service: ClassroomService, class_id: str, *, projector_view: bool
) -> dict[str, Any]:
    """The context of the whole grid (partials/class_grid.html), read as of one moment."""
    read = await _read(service, class_id, None)
    ct, titles = _words(request, read.exercises)
    return {
        **_parts(service, read, projector_view),
        "exercises": [{"id": e.id, "title": titles[e.id]} for e in read.exercises],
        "rows": grid_rows(read, read.roster, titles, ct),
        "oob": False,
    }


def _diff_context(
    request: Request, service: ClassroomService, read: GridRead, diff: GridDiff,
    projector_view: bool,
) -> dict[str, Any]:  # fmt: skip
    ct, titles = _words(request, read.exercises)
    return {
        **_parts(service, read, projector_view),
        "rows": grid_rows(read, diff.changed, titles, ct),
        "joined_rows": grid_rows(read, diff.joined, titles, ct),
        "removed": diff.removed,
        "oob": True,
    }


def _parts(service: ClassroomService, read: GridRead, projector_view: bool) -> dict[str, Any]:
    """What the whole grid and a diff both show: the poller, the head, the common errors."""
    return {
        "klass": read.klass,
        "class_json": class_json(read.klass, service.base_url),
        "version": read.klass.version,
        "student_count": len(read.roster),
        "errors": common_errors(read.roster, read.failing),
        "projector_view": projector_view,
        "marks": STATUS_MARKS,
    }


def _words(request: Request, exercises: list[ExerciseRow]) -> tuple[ClassText, dict[str, str]]:
    lang = language(request)
    return ClassText(lang), {e.id: title_for(e, lang) for e in exercises}


async def _read(service: ClassroomService, class_id: str, since: int | None) -> GridRead:
    read = await service.store.grid_since(class_id, since)
    if read is None:
        raise NotFound(f"there is no class with the id {class_id!r}")
    return read


def grid_rows(
    read: GridRead, students: list[StudentRow], titles: dict[str, str], ct: ClassText
) -> list[GridRow]:
    """These students' rows, each their cells in the exercises' order."""
    labels = {status: ct(f"status_{status}") for status in STATUS_MARKS}
    by_key = {(c.student_id, c.exercise_id): c for c in read.cells}
    rows = []
    for student in students:
        row = [
            _cell(
                read.klass.id, student, e.id, titles[e.id], by_key.get((student.id, e.id)), labels
            )
            for e in read.exercises
        ]
        rows.append((student, row))
    return rows


def _cell(
    class_id: str, student: StudentRow, exercise_id: str, title: str, cell: CellRow | None,
    labels: dict[str, str],
) -> GridCell:  # fmt: skip
    status = cell_status(cell)
    label = labels[status]
    return GridCell(
        exercise_id, status, 0 if cell is None else cell.attempts, STATUS_MARKS[status], label,
        f"{student.name}, {title}: {label}",
        f"/teach/{class_id}/cell?student={student.id}&exercise={exercise_id}",
    )  # fmt: skip
