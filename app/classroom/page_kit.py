"""What the classroom's pages share: their words, Markdown, fragments, the panel's context.

Prompts are Markdown written by the teacher, rendered by markdown-it-py with raw HTML off
(CommonMark, escaped), so a prompt can format but never script. Each fragment owns its swap
target; a Check answers with two (the results and, out of band, the exercise panel).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from app import resources
from app.classroom.serialize import stamp
from app.classroom.store import CellRow, ClassRow, ExerciseRow, StudentRow, SubmissionRow
from app.web import pages
from app.web.pages import language

STRINGS: dict[str, dict[str, str]] = json.loads(
    (resources.TEMPLATES_DIR / "classroom_strings.json").read_text(encoding="utf-8")
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
STATUS_MARKS = {"not_tried": "·", "error": "!", "failed": "✗", "passed": "✓"}


class ClassText:
    """`ct("attempts", n=3)`: the classroom's UI strings in one language."""

    def __init__(self, lang: str) -> None:
        self.strings = STRINGS[lang]

    def __call__(self, key: str, **fields: object) -> str:
        """`n=1` picks the key's `_one` form where there is one ("1 student")."""
        if fields.get("n") == 1 and f"{key}_one" in self.strings:
            key = f"{key}_one"
        text = self.strings[key]
        return text.format(**fields) if fields else text


def markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))  # html is off: the renderer escapes all HTML


def install_filters(templates: Any) -> None:
    templates.env.filters["markdown"] = markdown
    templates.env.globals["STATUS_MARKS"] = STATUS_MARKS


def base_context(request: Request, lang: str) -> dict[str, Any]:
    return {**pages.base_context(request, lang), "ct": ClassText(lang)}


def render_page(
    request: Request, name: str, context: Mapping[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    html = fragment(request, name, {**base_context(request, lang), **context})
    return HTMLResponse(html, status_code=status_code)


def fragment(request: Request, name: str, context: Mapping[str, Any]) -> str:
    template = request.app.state.templates.env.get_template(name)
    return template.render(request=request, **context)


def title_for(exercise: ExerciseRow, lang: str) -> str:
    return exercise.title_zh if lang == "zh" and exercise.title_zh else exercise.title


def prompt_for(exercise: ExerciseRow, lang: str) -> str:
    return exercise.prompt_zh if lang == "zh" and exercise.prompt_zh else exercise.prompt


def panel_context(
    *,
    klass: ClassRow,
    student: StudentRow,
    exercises: list[ExerciseRow],
    cells: list[CellRow],
    current: ExerciseRow | None,
    latest: SubmissionRow | None,
    broadcast: tuple[str, Any] | None,
    lang: str,
) -> dict[str, Any]:
    """The student's exercise panel: the list, the current prompt, its latest verdict."""
    by_exercise = {cell.exercise_id: cell for cell in cells}
    return {
        "join_code": klass.join_code,
        "class_name": klass.name,
        "closed": klass.closed_at is not None,
        "student_name": student.name,
        "student_id": student.id,
        "exercises": [
            {
                "id": e.id,
                "title": title_for(e, lang),
                "status": by_exercise[e.id].status if e.id in by_exercise else "not_tried",
                "attempts": by_exercise[e.id].attempts if e.id in by_exercise else 0,
                "current": current is not None and e.id == current.id,
            }
            for e in exercises
        ],
        "current": None
        if current is None
        else {
            "id": current.id,
            "title": title_for(current, lang),
            "prompt": prompt_for(current, lang),
            "status": by_exercise[current.id].status if current.id in by_exercise else "not_tried",
        },
        "results": None
        if latest is None
        else [
            {"passed": c["passed"], "detail": c["details"][lang], "kind": c["check"]["kind"]}
            for c in latest.checks
        ],
        "broadcast": None
        if broadcast is None
        else {"code": broadcast[0], "at": stamp(broadcast[1])},
    }
