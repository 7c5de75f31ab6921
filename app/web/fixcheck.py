"""`POST /fix-check`: the page's second request, after the first answer showed the error.

The results partial asks for it with htmx (`hx-trigger="load"`) when an explanation carries an
edit, so the explanation is on screen at once and "✓ runs with this change" follows when the
edited snippet has run (app/fixcheck.py). The form carries the code, seed, language and the
edit; the server applies the edit itself and runs the result like any other run.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError

from app.errors import InvalidSnippet
from app.fixcheck import check_fix
from app.schemas import FixEdit, RunRequest
from app.web.deps import ClientDep, ServiceDep
from app.web.pages import Code, Lang, Seed, language, render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.post("/fix-check")
async def fix_check(
    request: Request,
    service: ServiceDep,
    client: ClientDep,
    line: Annotated[int, Form(ge=1)],
    kind: Annotated[Literal["replace", "insert_before"], Form()],
    text: Annotated[str, Form(max_length=2000)],
    code: Code = "",
    seed: Seed = 0,
    lang: Lang = "",
    layer: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Run the snippet with the explanation's edit; the fix-check partial shows the result."""
    lang = language(request, lang)
    service.check_source(code)
    try:
        edit = FixEdit(line=line, kind=kind, text=text)
    except ValidationError as exc:
        raise InvalidSnippet(f"not an edit: {exc.errors()[0]['msg']}") from None
    check = await check_fix(
        service, RunRequest(code=code, seed=seed, lang=lang), edit, client, layer or None
    )
    context = {"edit": edit, "check": check, "checked": True}
    return render(request, "partials/fix_check.html", context, lang=lang)
