"""The playground page: server-rendered HTML and htmx partials over the API's own `RunService`.

One URL answers with a page or a partial depending on `HX-Request`, and every full page
`{% include %}`s its partials, so each piece of markup exists once. A page never runs a
snippet while it is rendered: the page's script starts the run (an htmx POST on load), so
opening a link runs nothing a visitor did not load the page for. What the results show is
built and bounded in `report_view`; the page's own script drives the editor, the graph and
the stepper.
"""

from __future__ import annotations

import functools
import gzip
import importlib.metadata
import json
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app import __version__, resources
from app.errors import NotFound
from app.lessons import Lesson, find_lesson
from app.outcome import LIMIT_ERROR_TYPES
from app.schemas import RunRequest, RunResponse
from app.store import Share
from app.web import assets
from app.web.deps import ClientDep, ServiceDep
from app.web.lesson_view import lesson_neighbours, lessons_by_topic, question_json
from app.web.report_view import ResultsView, results_view
from app.web.shares import SharesDep
from app.web.values_view import code_spans

LIMIT_ERRORS = LIMIT_ERROR_TYPES
TEMPLATES_DIR = resources.TEMPLATES_DIR
STATIC_DIR = resources.STATIC_DIR
LANGS = ("en", "zh")
THEMES = ("light", "dark")
STRINGS: dict[str, dict[str, str]] = json.loads(
    (TEMPLATES_DIR / "strings.json").read_text(encoding="utf-8")
)
"""UI text, `STRINGS[lang][key]`; kept next to the templates that show it."""
ONE_YEAR_S = 365 * 24 * 3600
GZIP_MIN_BYTES = 1024
STARTER = """\
x = torch.arange(6.).reshape(2, 3)
y = x.t()            # a view: the same storage, strides swapped
z = y.contiguous()   # a copy, laid out row by row
w = x[:, 1]          # every row's middle element: offset 1, stride 3
"""

router = APIRouter(include_in_schema=False)
Code = Annotated[str, Form(description="The snippet.")]
RunKey = Annotated[str, Form(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")]
MAX_STOPPED_KEPT = 1024
Seed = Annotated[int, Form(ge=0, lt=2**32)]
Lang = Annotated[str, Form()]


@functools.cache
def torch_version() -> str:
    """Read from the installed package's metadata: the web process never imports torch."""
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def build_templates(directory: Path = TEMPLATES_DIR) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(code_spans=code_spans)
    env.globals.update(
        lesson_named=find_lesson, asset=assets.for_directory(STATIC_DIR).url,
        app_version=__version__, torch_version=torch_version(),
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


def base_context(request: Request, lang: str) -> dict[str, Any]:
    """What every page's layout (base.html) reads: its language, strings and display choices."""
    theme = request.cookies.get("theme")
    return {
        "lang": lang,
        "t": Text(lang),
        "projector": request.cookies.get("projector") == "1",
        "theme": theme if theme in THEMES else None,
    }


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
        {**base_context(request, lang), **context},
        status_code=status_code,
        headers=dict(headers or {}),
    )
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=ONE_YEAR_S, samesite="lax")
    return compressed(request, response)


def compressed(request: Request, response: Response) -> Response:
    """gzip a page or partial for a client that accepts it: the sidebar alone is ~40 KB of
    HTML, and the results of a big run more. Fast level: pages are rendered per request."""
    body = response.body
    if len(body) < GZIP_MIN_BYTES or "gzip" not in request.headers.get("accept-encoding", ""):
        return response
    response.body = gzip.compress(body, compresslevel=5, mtime=0)
    response.headers["content-encoding"] = "gzip"
    response.headers["content-length"] = str(len(response.body))
    response.headers.append("vary", "Accept-Encoding")
    return response


def error_page(
    request: Request, status_code: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    context = {"status_code": status_code, "detail": detail}
    return render(request, "error.html", context, status_code=status_code, headers=headers)


def results_context(
    report: RunResponse | None, code: str, lang: str, *, stopped: bool = False
) -> dict[str, Any]:
    """What the results partial shows (`results`, bounded) and the validated `report`;
    `stopped`: the student pressed Stop, so the run's end is theirs, not a time limit."""
    results: ResultsView | None = results_view(report, code, lang) if report else None
    return {
        "report": report,
        "results": results,
        "code_lines": code.splitlines(),  # the fix check re-sends the code it was run with
        "stopped": stopped,
        "meta": results.meta if results else {"ran": False},
    }


def stopped_runs(request: Request) -> OrderedDict[tuple[str, str], None]:
    """The last runs this process stopped at a page's request, by (client, run key)."""
    state = request.app.state
    if not hasattr(state, "stopped_runs"):
        state.stopped_runs = OrderedDict()
    return state.stopped_runs


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
    lang = lang or language(request)
    before, after = lesson_neighbours(lesson) if lesson else (None, None)
    return render(
        request,
        "index.html",
        {
            "code": code,
            "seed": seed,
            "lesson": lesson,
            "lesson_error_line": lesson.error_line if lesson else None,
            "question_json": question_json(lesson) if lesson else None,
            "previous_lesson": before,
            "next_lesson": after,
            "share": share,
            "share_url": request.app.state.shares.url(share.id) if share else None,
            "autorun": autorun,
            "page_path": page_path,
            "notice": notice,
            "topics": lessons_by_topic(),
            **results_context(report, code, lang),
            **(extra or {}),
        },
        lang=lang,
    )


# ---- routes ---------------------------------------------------------------------------------


@router.get("/")
async def index(request: Request) -> Response:
    return page(request, code=STARTER)


@router.get("/lessons/{lesson_id}", name="lesson")
async def lesson_page(request: Request, lesson_id: str) -> Response:
    lesson = find_lesson(lesson_id)
    if lesson is None:
        raise NotFound(f"there is no lesson called {lesson_id!r}")
    lang = language(request)
    return page(
        request, code=lesson.code_for(lang), lesson=lesson, page_path=f"/lessons/{lesson.id}",
        lang=lang,
    )  # fmt: skip


@router.post("/run")
async def run(
    request: Request,
    service: ServiceDep,
    client: ClientDep,
    code: Code = "",
    seed: Seed = 0,
    lang: Lang = "",
    run_key: RunKey = "",
) -> Response:
    """Run the editor's code: the results partial for htmx, else the whole page around them.
    `run_key`, the page's name for this run, is what its Stop button sends."""
    lang = language(request, lang)
    report = await service.run(RunRequest(code=code, seed=seed, lang=lang), client, run_key or None)
    stopped = stopped_runs(request).pop((client, run_key), False) is None
    if is_htmx(request):
        context = results_context(report, code, lang, stopped=stopped)
        return render(request, "partials/results.html", context, lang=lang)
    return page(request, code=code, seed=seed, report=report, lang=lang)


@router.post("/run/stop", status_code=204)
async def stop(
    request: Request, service: ServiceDep, client: ClientDep, run_key: RunKey = ""
) -> Response:
    """End this client's run named `run_key` now (the Stop button); 404 when none is going."""
    if not run_key or not service.cancel(run_key, client):
        raise NotFound("no run of yours with that key is in flight")
    stopped = stopped_runs(request)
    stopped[(client, run_key)] = None
    while len(stopped) > MAX_STOPPED_KEPT:
        stopped.popitem(last=False)
    return Response(status_code=204)


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
async def prefs(
    projector: Annotated[str, Form()] = "",
    pref: Annotated[str, Form()] = "projector",
    theme: Annotated[str, Form()] = "",
) -> Response:
    """Remember a display choice (`pref`: projector, or theme), so the next page opens with it."""
    response = Response(status_code=204)
    if pref == "theme":
        if theme in THEMES:
            response.set_cookie("theme", theme, max_age=ONE_YEAR_S, samesite="lax")
        else:  # follow the system again
            response.delete_cookie("theme", samesite="lax")
        return response
    response.set_cookie("projector", "1" if projector else "0", max_age=ONE_YEAR_S, samesite="lax")
    return response
