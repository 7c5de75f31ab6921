"""The server's reading of a run's report: hostile data, checked beyond its schema.

A snippet can write any bytes it likes into its result channel, so a report is first parsed
against the pydantic models (app/schemas.py), then checked for what the models cannot say:
that it is self-consistent (`numel` is the product of `shape`, a stride per dimension,
previews no bigger than their tensor), that it points only inside the snippet (lines) and
inside itself (storage sharing, graph edges), and that nothing is larger than the run's
limits allow. A report that fails is replaced by a `SandboxViolation` error naming the first
problem: never a 500, never rendered. Each check is linear in the report's size, which the
executor already capped at `max_result_bytes`.
"""

from __future__ import annotations

import binascii
import math
from typing import Any

from pydantic import ValidationError

from app.outcome import Outcome
from app.sandbox.limits import RunLimits
from app.sandbox.report import violation_report
from app.schemas import GradInfo, ParameterInfo, RunResponse, TensorInfo

MAX_DIMS = 64
MAX_ERROR_TYPE_CHARS = 256
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ReportProblem(ValueError):
    """The first thing found wrong with a report."""


def response_from(report: dict[str, Any]) -> RunResponse:
    """A report the server built itself (no run's word in it) as the API model."""
    response = RunResponse.model_validate(report)
    response.outcome = str(Outcome.of_report(response))
    return response


def checked_response(line: bytes, code: str, limits: RunLimits) -> RunResponse:
    """The run's report line as a `RunResponse`, or a SandboxViolation report instead."""
    try:
        response = RunResponse.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return response_from(violation_report(f"The run sent a malformed report ({where})."))
    try:
        check(response, max(1, len(code.splitlines())), limits)
    except ReportProblem as problem:
        return response_from(
            violation_report(
                f"The run sent a report that cannot be true: {problem}",
                stdout=response.stdout[: limits.max_output_bytes],
                stderr=response.stderr[: limits.max_output_bytes],
            )
        )
    response.outcome = str(Outcome.of_report(response))
    return response


def check(report: RunResponse, lines: int, limits: RunLimits) -> None:
    """Raise `ReportProblem` for the first inconsistency; `lines` is the snippet's length."""
    _require(report.ok == (report.error is None), "ok disagrees with error")
    _require(math.isfinite(report.duration_ms) and report.duration_ms >= 0, "bad duration")
    _require(
        len(report.stdout.encode()) + len(report.stderr.encode()) <= 3 * limits.max_output_bytes,
        "more output than the cap",
    )
    names = [t.name for t in report.tensors]
    _require(len(set(names)) == len(names), "a tensor name listed twice")
    known = set(names)
    for t in report.tensors:
        _tensor(t, f"tensor {t.name!r}", limits)
        _require(
            all(other in known and other != t.name for other in t.shares_storage_with),
            f"tensor {t.name!r} shares storage with a tensor not listed",
        )
    for module in report.modules:
        _require(
            len(module.parameters) + len(module.buffers) <= 2 * limits.max_module_tensors,
            f"module {module.name!r} lists too many tensors",
        )
        for p in (*module.parameters, *module.buffers):
            _tensor(p, f"parameter {p.name!r}", limits)
    _module_calls(report, lines, limits)  # issue 11
    _graph(report, limits)
    _require(len(report.steps) <= limits.max_steps, "more steps than the cap")
    for step in report.steps:
        _line(step.line, lines, "a step")
        for lite in step.changed:
            if lite.shape is not None:
                _shape(lite.shape, f"step tensor {lite.name!r}")
                if lite.stride is not None:
                    _require(len(lite.stride) == len(lite.shape), "a step's stride mismatch")
    for warning in report.warnings:
        if warning.line is not None:
            _line(warning.line, lines, "a warning")
    _figures(report, limits)
    if report.error is not None:
        error = report.error
        if error.line is not None:
            _line(error.line, lines + 1, "the error")  # a SyntaxError may point past the end
        _require(0 < len(error.type) <= MAX_ERROR_TYPE_CHARS, "an error type of that length")
        for operand in error.operands:
            shape = operand.get("shape")
            if shape is not None:
                _require(isinstance(shape, list), "an operand's shape is not a list")
                _shape(shape, "an operand")


def _module_calls(report: RunResponse, lines: int, limits: RunLimits) -> None:
    """The shape trace: within its cap, lines inside the snippet, shapes that can be."""
    _require(len(report.module_calls) <= limits.max_module_calls, "more module calls than the cap")
    for call in report.module_calls:
        if call.line is not None:
            _line(call.line, lines, "a module call")
        for shape in (*call.input_shapes, *(call.output_shapes or ())):
            _shape(shape, f"module call {call.type!r}")
    explanation = report.error.explanation if report.error else None
    if explanation is not None and explanation.edit is not None:
        _line(explanation.edit.line, lines, "the fix's edit")


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise ReportProblem(problem)


def _line(line: int, lines: int, what: str) -> None:
    _require(1 <= line <= lines, f"{what} points at line {line} of a {lines}-line snippet")


def _shape(shape: list[Any], what: str) -> None:
    _require(len(shape) <= MAX_DIMS, f"{what} has {len(shape)} dimensions")
    _require(
        all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape),
        f"{what} has a negative or non-integer size",
    )


def _tensor(t: GradInfo, what: str, limits: RunLimits) -> None:
    _shape(t.shape, what)
    _require(t.numel == math.prod(t.shape), f"{what}: numel {t.numel} is not its shape's product")
    if t.stride is not None:
        _require(len(t.stride) == len(t.shape), f"{what}: a stride per dimension")
    _require(t.storage_offset is None or t.storage_offset >= 0, f"{what}: negative offset")
    if t.stats is not None:
        _require(0 <= t.stats.nan <= t.numel and 0 <= t.stats.inf <= t.numel, f"{what}: stats")
    _values(t.values, t.shape, limits.max_values, what)
    grad = t.grad if isinstance(t, TensorInfo | ParameterInfo) else None
    if grad is not None:
        _require(grad.shape == t.shape, f"{what}: its grad has another shape")
        _tensor(grad, f"{what}.grad", limits)


def _values(values: Any, shape: list[int], budget: int, what: str) -> None:
    """A preview is a nested list as deep as the shape, no longer than it, within budget."""
    if values is None:
        return
    count = 0
    level: list[Any] = [values]
    for size in shape:
        nxt: list[Any] = []
        for item in level:
            _require(isinstance(item, list) and len(item) <= size, f"{what}: values overflow")
            nxt.extend(item)
        level = nxt
    for item in level:
        _require(not isinstance(item, list | dict), f"{what}: values deeper than its shape")
        count += 1
    _require(count <= budget, f"{what}: more values than the preview holds")


def _graph(report: RunResponse, limits: RunLimits) -> None:
    graph = report.graph
    ids = [node.id for node in graph.nodes]
    _require(len(set(ids)) == len(ids), "a graph node listed twice")
    cap = limits.max_graph_nodes + len(report.tensors) + _parameter_count(report)
    _require(len(ids) <= cap, "more graph nodes than the cap")
    known = set(ids)
    _require(
        all(e.source in known and e.target in known for e in graph.edges),
        "a graph edge to a node that is not listed",
    )


def _parameter_count(report: RunResponse) -> int:
    return sum(len(m.parameters) for m in report.modules)


def _figures(report: RunResponse, limits: RunLimits) -> None:
    _require(len(report.figures) <= limits.max_figures, "more figures than the cap")
    for figure in report.figures:
        _require(len(figure.data) * 3 // 4 <= limits.max_figure_bytes, "a figure over the cap")
        try:
            head = binascii.a2b_base64(figure.data[:16].encode(), strict_mode=True)
        except (binascii.Error, ValueError):
            raise ReportProblem("a figure that is not base64") from None
        _require(head.startswith(PNG_MAGIC), "a figure that is not a PNG")


WORKER_STAGES = (
    ("handoff", "sent", "received"),
    ("prepare", "received", "exec_start"),
    ("exec", "exec_start", "exec_end"),
    ("inspect", "exec_end", "inspected"),
    ("encode", "inspected", "encoded"),
    ("transfer", "encoded", "line"),
)
SERVER_STAGES = (("wait_worker", "start", "worker"), ("check", "line", "checked"))


def stage_timings(marks: dict[str, float], stages: dict[str, float] | None) -> dict[str, float]:
    """Milliseconds per stage of a run, on the machine's monotonic clock. The worker's
    marks are its word: only numbers are taken, each stage clamped to the run's wall time."""
    wall = marks["checked"] - marks["start"]
    points = {**(stages or {}), **marks}
    out = {}
    for name, begin, end in (*SERVER_STAGES, *WORKER_STAGES):
        if begin in points and end in points:
            out[name] = round(min(max(points[end] - points[begin], 0.0), wall) * 1000, 3)
    if "exec_start" in points and "received" in points:
        out["prepare"] = round(
            min(max(points["exec_start"] - points["received"], 0), wall) * 1000, 3
        )
    return out
