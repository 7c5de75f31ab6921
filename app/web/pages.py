"""The playground page: server-rendered HTML and htmx partials over the API's own `RunService`.

One URL answers with a page or a partial depending on `HX-Request`, and every full page
`{% include %}`s its partials, so each piece of markup exists once. The browser's own
JavaScript only drives the editor and the graph; everything a student sees is built here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app import resources
from app.errors import NotFound
from app.lessons import TOPICS, Lesson, find_lesson, library
from app.schemas import RunRequest, RunResponse
from app.store import Share
from app.web.deps import ClientDep, ServiceDep
from app.web.shares import SharesDep
from app.web.views import (
    LIMIT_ERRORS,
    build_groups,
    code_spans,
    format_number,
    formula,
    heat,
    index_names,
    is_float,
    slot_colour,
    value_slices,
)

TEMPLATES_DIR = resources.TEMPLATES_DIR
LANGS = ("en", "zh")
STRINGS: dict[str, dict[str, str]] = json.loads(
    (TEMPLATES_DIR / "strings.json").read_text(encoding="utf-8")
)
"""UI text, `STRINGS[lang][key]`; kept next to the templates that show it."""
ONE_YEAR_S = 365 * 24 * 3600
STARTER = """\
x = torch.arange(6.).reshape(2, 3)
y = x.t()            # a view: the same storage, strides swapped
z = y.contiguous()   # a copy, laid out row by row
w = x[:, 1]          # every row's middle element: offset 1, stride 3
"""

router = APIRouter(include_in_schema=False)
Code = Annotated[str, Form(description="The snippet.")]
Seed = Annotated[int, Form(ge=0, lt=2**32)]
Lang = Annotated[str, Form()]


def build_templates(directory: Path = TEMPLATES_DIR) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=format_number, code_spans=code_spans)
    env.globals.update(
        value_slices=value_slices, heat=heat, is_float=is_float, slot_colour=slot_colour,
        formula=formula, index_names=index_names, lesson_named=find_lesson,
        LIMIT_ERRORS=LIMIT_ERRORS,
    )  # fmt: skip
    return Jinja2Templates(env=env)


def language(request: Request, chosen: str | None = None) -> str:
    """The form's or query's choice, else the cookie, else the browser's first preference."""
    for candidate in (chosen, request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGS:
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    return "zh" if accept.startswith("zh") else "en"


class Text:
    """`t("ran_in", ms=3)` in templates: one language's UI strings, filled when given fields."""

    def __init__(self, lang: str) -> None:
        self.strings = STRINGS[lang]

    def __call__(self, key: str, **fields: object) -> str:
        text = self.strings[key]
        return text.format(**fields) if fields else text

    def __contains__(self, key: str) -> bool:
        return key in self.strings


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    lang: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render with the context every template needs, remembering a language picked by URL."""
    lang = lang or language(request)
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": Text(lang),
            "projector": request.cookies.get("projector") == "1",
            **context,
        },
        status_code=status_code,
        headers=dict(headers or {}),
    )
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=ONE_YEAR_S, samesite="lax")
    return response


def error_page(
    request: Request, status_code: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    context = {"status_code": status_code, "detail": detail}
    return render(request, "error.html", context, status_code=status_code, headers=headers)


def results_context(report: RunResponse | None, code: str) -> dict[str, Any]:
    """What the results partial shows, and `meta`: the little the page's script needs."""
    error = report.error if report else None
    return {
        "report": report,
        "groups": build_groups(report) if report else [],
        "code_lines": code.splitlines(),
        "meta": {
            "ran": report is not None,
            "error_line": error.line if error else None,
            "dot": report.graph.dot if report and report.graph.nodes else "",
        },
    }


def page(
    request: Request,
    *,
    code: str,
    seed: int | None = 0,
    report: RunResponse | None = None,
    lesson: Lesson | None = None,
    share: Share | None = None,
    autorun: bool = False,
    page_path: str = "/",
    notice: str | None = None,
    lang: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """The whole playground around one snippet (and its results, when it has run); `extra`
    adds to the context (the classroom's exercise panel)."""
    return render(
        request,
        "index.html",
        {
            "code": code,
            "seed": seed,
            "lesson": lesson,
            "share": share,
            "share_url": request.app.state.shares.url(share.id) if share else None,
            "autorun": autorun,
            "page_path": page_path,
            "notice": notice,
            "topics": lessons_by_topic(),
            **results_context(report, code),
            **(extra or {}),
        },
        lang=lang,
    )


def lessons_by_topic() -> list[tuple[str, str, str, list[Lesson]]]:
    """(topic id, English name, Chinese name, lessons) for every topic that has lessons."""
    grouped = [
        (topic, en, zh, [lesson for lesson in library() if lesson.topic == topic])
        for topic, en, zh in TOPICS
    ]
    return [entry for entry in grouped if entry[3]]


# ---- routes ---------------------------------------------------------------------------------


@router.get("/")
async def index(request: Request) -> Response:
    return page(request, code=STARTER)


@router.get("/lessons/{lesson_id}", name="lesson")
async def lesson_page(request: Request, lesson_id: str) -> Response:
    lesson = find_lesson(lesson_id)
    if lesson is None:
        raise NotFound(f"there is no lesson called {lesson_id!r}")
    return page(request, code=lesson.code, lesson=lesson, page_path=f"/lessons/{lesson.id}")


@router.post("/run")
async def run(
    request: Request,
    service: ServiceDep,
    client: ClientDep,
    code: Code = "",
    seed: Seed = 0,
    lang: Lang = "",
) -> Response:
    """Run the editor's code: the results partial for htmx, else the whole page around them."""
    lang = language(request, lang)
    report = await service.run(RunRequest(code=code, seed=seed, lang=lang), client)
    if is_htmx(request):
        return render(request, "partials/results.html", results_context(report, code), lang=lang)
    return page(request, code=code, seed=seed, report=report, lang=lang)


@router.post("/share")
async def share(
    request: Request, shares: SharesDep, client: ClientDep, code: Code = "", seed: Seed = 0
) -> Response:
    """Save the snippet through the API's own service; answer with its permalink (htmx)
    or go there (plain form)."""
    saved = await shares.create(code, seed, client)
    if not is_htmx(request):
        return RedirectResponse(shares.url(saved.id), status_code=303)
    url = shares.url(saved.id)
    return render(request, "partials/share.html", {"share": saved, "share_url": url})


@router.get("/s/{share_id}", name="shared")
async def shared(request: Request, share_id: str, shares: SharesDep) -> Response:
    """Reopen a shared snippet in the editor. Nothing runs here: a GET any page can make a
    browser send must cost no run, so the page starts the run itself (`autorun`)."""
    saved = await shares.get(share_id)
    return page(
        request, code=saved.code, seed=saved.seed, share=saved, autorun=True,
        page_path=f"/s/{saved.id}",
    )  # fmt: skip


@router.post("/prefs", status_code=204)
async def prefs(projector: Annotated[str, Form()] = "") -> Response:
    """Remember the projector toggle, so the next page opens in the same mode."""
    response = Response(status_code=204)
    response.set_cookie("projector", "1" if projector else "0", max_age=ONE_YEAR_S, samesite="lax")
    return response
