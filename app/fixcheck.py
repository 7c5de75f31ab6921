"""Fixes that were run: apply an explanation's edit to the snippet and run it again.

The run that failed proposes an edit (`explanation.edit`: one line replaced or inserted),
but a run's report is hostile, so the server never runs code the run wrote: it applies the
edit to the code *it* was sent, and only an edit of that bounded shape (app/explain/edits.py).
The edited snippet goes through `RunService` like any run — same seed, same timeout and
limits, admission and the queue — under a rate key of its own (`<client>#fix`), so checking
fixes never eats into the student's own runs and a client can cause at most twice the work.
`fix_check.ran` is true only when that run raised nothing; when the server is busy or the
run could not be made, there is no `fix_check` at all rather than a guess.

The API answers with the check done (a second run of an error snippet: +1 run of latency,
measured in bench/fixcheck_latency.py); the page gets the first answer at once and fetches the
check afterwards (app/web/fixcheck.py), so the explanation is never held back by it.
"""

from __future__ import annotations

import re

from app.errors import PlaygroundError
from app.explain.edits import apply_edit
from app.schemas import FixCheck, FixEdit, ModuleCall, RunRequest, RunResponse, ShapeAfterFix
from app.service import RunService

FIX_CLIENT_SUFFIX = "#fix"
MAX_SHAPES = 8
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


async def attach_fix_check(
    service: RunService, request: RunRequest, report: RunResponse, client: str
) -> RunResponse:
    """Set `error.explanation.fix_check` of `report` (a run of `request`), in place."""
    explanation = report.error.explanation if report.error else None
    if explanation is None:
        return report
    explanation.fix_check = None  # only the server says whether a fix ran
    if explanation.edit is not None:
        explanation.fix_check = await check_fix(
            service, request, explanation.edit, client, failing_layer(report)
        )
    return report


async def check_fix(
    service: RunService,
    request: RunRequest,
    edit: FixEdit,
    client: str,
    layer: str | None = None,
) -> FixCheck | None:
    """Run `request.code` with `edit` applied; None when it cannot be applied or run now."""
    if not service.settings.fix_check:
        return None
    code = apply_edit(request.code, edit.model_dump())
    if code is None:
        return None
    fixed = request.model_copy(update={"code": code, "trace": False})
    try:
        report = await service.run(fixed, client + FIX_CLIENT_SUFFIX)
    except PlaygroundError:  # busy, over its rate, the sandbox down: not checked
        return None
    error = report.error
    return FixCheck(
        code=code,
        ran=error is None,
        error_type=None if error is None else error.type,
        error_message=None if error is None else error.message[:500],
        shapes=shapes_named(report, edit.text),
        layer=call_of(report, layer),
    )


def failing_layer(report: RunResponse) -> str | None:
    """The qualified name of the deepest failed module call: the layer the fix is about."""
    failed = [c for c in report.module_calls if c.failed and c.module]
    return failed[-1].module if failed else None


def shapes_named(report: RunResponse, text: str) -> list[ShapeAfterFix]:
    """The re-run's tensors that the edited line names, as they ended up."""
    names = set(IDENTIFIER.findall(text))
    return [
        ShapeAfterFix(name=t.name, shape=t.shape, dtype=t.dtype)
        for t in report.tensors
        if t.name in names
    ][:MAX_SHAPES]


def call_of(report: RunResponse, module: str | None) -> ModuleCall | None:
    """The re-run's first call of `module`, to show what its shapes became."""
    if module is None:
        return None
    return next((c for c in report.module_calls if c.module == module), None)
