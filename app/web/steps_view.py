"""The trace as the page's stepper reads it: bounded JSON, each source line sent once.

A step names its line; the text of that line is the editor's (the page never repeats it per
step, so a 29 KB one-line loop costs 29 KB, not 29 MB). Steps whose line is not a line of
the snippet are dropped, and there are at most `MAX_STEPS` steps and `MAX_STEP_CHANGES`
changes, each with a value preview of at most `PREVIEW_NUMBERS` numbers.
"""

from __future__ import annotations

from typing import Any

from app.schemas import RunResponse, Step, TensorLite
from app.web.values_view import format_number, shape_text

MAX_STEPS = 400
MAX_STEP_CHANGES = 2_000
MAX_CHANGES_PER_STEP = 32
PREVIEW_NUMBERS = 16
MAX_PREVIEW_DEPTH = 12
MAX_STEP_NAME = 60


def preview(values: Any, ndim: int) -> str | None:
    """`[[1, 2], [3, 4]]` of at most PREVIEW_NUMBERS numbers, no deeper than the shape."""
    if values is None:
        return None
    ndim = min(ndim, MAX_PREVIEW_DEPTH)
    budget = [PREVIEW_NUMBERS]

    def walk(value: Any, depth: int) -> str:
        if isinstance(value, list) and depth < ndim:
            parts = []
            for item in value:
                if budget[0] <= 0:
                    parts.append("…")
                    break
                parts.append(walk(item, depth + 1))
            return f"[{', '.join(parts)}]"
        budget[0] -= 1
        return format_number(None if isinstance(value, list | dict) else value)

    return walk(values, 0)


def _name(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= MAX_STEP_NAME else text[: MAX_STEP_NAME - 1] + "…"


def change_view(c: TensorLite) -> dict[str, Any]:
    ndim = len(c.shape) if c.shape is not None else 0
    return {
        "name": _name(c.name), "event": c.event if c.event in ("bound", "changed", "deleted")
        else "changed", "in_place": c.in_place is True,
        "shape": shape_text(c.shape) if c.shape is not None else None,
        "dtype": _name(c.dtype) or None, "stride": shape_text(c.stride) if c.stride is not None
        else None, "contiguous": c.is_contiguous, "requires_grad": c.requires_grad is True,
        "grad_fn": _name(c.grad_fn) or None,
        "grad": shape_text(c.grad_shape) if c.grad_shape is not None else None,
        "values": preview(c.values, ndim), "grad_values": preview(c.grad_values, ndim),
    }  # fmt: skip


def build_steps(report: RunResponse, line_count: int) -> dict[str, Any] | None:
    """`{"steps": [...], "truncated", "left_out"}` for the stepper, or None without steps."""
    if not report.steps:
        return None
    steps: list[dict[str, Any]] = []
    changes = 0
    for step in report.steps[: MAX_STEPS * 4]:  # steps on lines that are no line are dropped
        if len(steps) >= MAX_STEPS or changes >= MAX_STEP_CHANGES:
            break
        if not 1 <= step.line <= line_count:
            continue
        changed = [change_view(c) for c in step.changed[:MAX_CHANGES_PER_STEP]]
        changes += len(changed)
        steps.append({
            "line": step.line, "frame": _name(step.frame) or None,
            "call": step.call if isinstance(step.call, int) and 0 <= step.call < 2**31 else None,
            "skipped": min(max(step.skipped, 0), 2**31), "changed": changed,
        })  # fmt: skip
    if not steps:
        return None
    return {
        "steps": steps,
        "truncated": report.steps_truncated,
        "left_out": len(report.steps) - len(steps),
    }


def bound_lines(steps: list[Step], line_count: int) -> dict[str, int]:
    """The top-level line that last bound each name: a card links to it."""
    lines: dict[str, int] = {}
    for step in steps[: MAX_STEPS * 4]:
        if step.frame is not None or not 1 <= step.line <= line_count:
            continue
        for c in step.changed[:MAX_CHANGES_PER_STEP]:
            if c.event == "bound":
                lines[c.name] = step.line
    return lines
