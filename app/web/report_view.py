"""A run report turned into what the results partial shows, with every size bounded here.

The report passed validation, but validation says only that the fields have the right
types: a child can still claim 10**6 tensors, a 16 MiB message, shape `[1700, 1700]` with
one value, steps on line 10**9. Templates render only this module's output, so each cap
below bounds what a page can cost, whatever the report says (a test renders thousands of
generated reports and checks the size and time).

Page limits (also in the README):

| limit | value |
|---|---|
| tensor rows | `MAX_TENSORS` |
| values per table | `TABLE_ROWS` x `TABLE_COLS`, `TABLE_SLICES` tables per card |
| value cells per page | `MAX_PAGE_CELLS` (tables and memory pictures together) |
| steps shown | `MAX_STEPS`, `MAX_STEP_CHANGES` changes in all |
| text | stdout, stderr: `MAX_OUTPUT_CHARS` each; traceback: `MAX_TRACEBACK_CHARS` |
| short text | messages: `MAX_MESSAGE_CHARS`; names: `MAX_NAME_CHARS` |
| figures | `MAX_FIGURES`, `MAX_FIGURE_BYTES` of PNG data in all |
| modules | `MAX_MODULES`, `MAX_PARAMETERS` parameters and buffers each |
| the whole results partial | `MAX_RESULTS_BYTES` (the sum of the above; a test holds it) |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.outcome import LIMIT_ERROR_TYPES
from app.schemas import ErrorInfo, GradInfo, ModuleInfo, RunResponse, Stats, TensorInfo
from app.web import views
from app.web.graph_view import GraphView, build_graph_view
from app.web.steps_view import bound_lines, build_steps
from app.web.values_view import (
    Spark,
    ValueTable,
    format_number,
    mini_heat,
    number,
    shape_text,
    show_int,
    sparkline,
    value_table,
)

MAX_TENSORS = 200
TABLE_ROWS = 16
TABLE_COLS = 16
TABLE_SLICES = 8
MAX_PAGE_CELLS = 12_000
MAX_OUTPUT_CHARS = 65_536
MAX_TRACEBACK_CHARS = 16_384
MAX_MESSAGE_CHARS = 4_096
MAX_NAME_CHARS = 120
MAX_WARNINGS = 50
MAX_MODULES = 30
MAX_PARAMETERS = 60
MAX_OPERANDS = 16
MAX_FIGURES = 8
MAX_FIGURE_BYTES = 3 * 1024 * 1024
MAX_SHARED_NAMES = 50
MAX_RESULTS_BYTES = 8 * 1024 * 1024
EXPAND_UP_TO = 4
"""Reports with at most this many tensors (the starter has four) open every card; beyond,
cards start folded."""
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def cut(text: str | None, limit: int) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit] + " …"


@dataclass(slots=True)
class Budget:
    """Value cells the page may still draw; a card past the budget shows its facts only."""

    cells: int = MAX_PAGE_CELLS

    def take(self, count: int) -> bool:
        if count > self.cells:
            return False
        self.cells -= count
        return True


@dataclass(slots=True)
class StatsView:
    min: str
    max: str
    mean: str
    nan: str
    inf: str


@dataclass(slots=True)
class GradView:
    shape: str
    stride: str
    dtype: str
    stats: StatsView | None
    table: ValueTable | None
    values_missing: bool


@dataclass(slots=True)
class TensorView:
    name: str
    dom_id: str
    shape: str
    stride: str
    dtype: str
    device: str
    offset: str
    numel: str
    is_contiguous: bool
    requires_grad: bool
    is_leaf: bool
    grad_fn: str
    stats: StatsView | None
    table: ValueTable | None
    values_missing: bool
    layout: views.Layout | None
    formula: str
    layout_too_big: bool
    spark: Spark | None
    grad: GradView | None
    node_id: str | None = None
    line: int | None = None
    expanded: bool = False


@dataclass(slots=True)
class ModuleView:
    name: str
    type: str
    training: bool
    parameters: list[tuple[str, str, str, bool]]
    buffers: list[tuple[str, str, str, bool]]
    cut: bool


@dataclass(slots=True)
class ErrorView:
    type: str
    message: str
    line: int | None
    source: str | None
    traceback: str
    is_limit: bool
    title: str | None
    why: str | None
    fix: str | None
    lesson: str | None
    operands: list[dict[str, Any]]


@dataclass(slots=True)
class ResultsView:
    ok: bool
    duration_ms: str
    error: ErrorView | None
    warnings: list[tuple[int | None, str]]
    stdout: str
    stderr: str
    output_cut: bool
    figures: list[str]
    figures_left_out: int
    groups: list[list[TensorView]]
    tensor_count: int
    tensors_left_out: int
    modules: list[ModuleView]
    graph: dict[str, Any] | None
    steps: dict[str, Any] | None
    meta: dict[str, Any] = field(default_factory=dict)


def line_of(code_lines: list[str], line: int | None) -> str | None:
    """The snippet's line `line` (1-based), or None when the report's number is not a line."""
    if line is None or not 1 <= line <= len(code_lines):
        return None
    return cut(code_lines[line - 1], 2_000)


def _stats(stats: Stats | None) -> StatsView | None:
    if stats is None:
        return None
    return StatsView(format_number(stats.min), format_number(stats.max),
                     format_number(stats.mean), show_int(stats.nan) if stats.nan else "",
                     show_int(stats.inf) if stats.inf else "")  # fmt: skip


def _scale(stats: Stats | None) -> float:
    if stats is None:
        return 0.0
    return max(abs(number(stats.min) or 0.0), abs(number(stats.max) or 0.0))


def _table(info: GradInfo, budget: Budget, slot_of: dict[tuple[int, ...], int] | None) -> Any:
    """(table or None, values missing): a table of the values, if the budget allows one."""
    if info.values is None or len(info.shape) > views.MAX_DIMS:
        return None, True
    most = TABLE_ROWS * TABLE_COLS * TABLE_SLICES
    shown = views.bounded_numel(info.shape, most)
    if not budget.take(most if shown is None else shown):
        return None, True
    floaty = any(kind in info.dtype for kind in ("float", "half", "bfloat"))
    table = value_table(
        info.values, info.shape, rows=TABLE_ROWS, cols=TABLE_COLS, slices=TABLE_SLICES,
        heat=floaty and len(info.shape) >= 2, scale=_scale(info.stats), slot_of=slot_of,
    )  # fmt: skip
    return table, False


def _grad(grad: GradInfo | None, budget: Budget) -> GradView | None:
    if grad is None:
        return None
    table, missing = _table(grad, budget, None)
    stride = shape_text(grad.stride) if grad.stride is not None else "—"
    return GradView(shape_text(grad.shape), stride, cut(grad.dtype, 40), _stats(grad.stats),
                    table, missing)  # fmt: skip


def dom_id(name: str, index: int) -> str:
    """`tensor-x` for a plain variable name, `tensor-i7` for anything else."""
    return f"tensor-{name}" if _SAFE_ID.fullmatch(name) else f"tensor-i{index}"


def tensor_view(
    t: TensorInfo, index: int, layout: views.Layout | None, budget: Budget
) -> TensorView:
    slot_of = None
    if layout is not None and budget.take(len(layout.storage) + len(layout.elements)):
        cells = views.cells_read(t) or []
        slot_of = {idx: cell for idx, cell in cells}
    else:
        layout = None
    table, missing = _table(t, budget, slot_of)
    scale = _scale(t.stats)
    spark = None
    if len(t.shape) <= 2 and t.values is not None:
        spark = sparkline(t.values, t.shape) or mini_heat(t.values, t.shape, scale)
    too_big = layout is None and t.stride is not None
    return TensorView(
        name=cut(t.name, MAX_NAME_CHARS), dom_id=dom_id(t.name, index), shape=shape_text(t.shape),
        stride=shape_text(t.stride) if t.stride is not None else "—", dtype=cut(t.dtype, 40),
        device=cut(t.device, 40),
        offset=show_int(t.storage_offset) if t.storage_offset is not None else "—",
        numel=show_int(t.numel), is_contiguous=t.is_contiguous, requires_grad=t.requires_grad,
        is_leaf=t.is_leaf, grad_fn=cut(t.grad_fn, MAX_NAME_CHARS), stats=_stats(t.stats),
        table=table, values_missing=missing, layout=layout,
        formula=views.formula(t, show_int) if t.stride is not None else "",
        layout_too_big=too_big, spark=spark, grad=_grad(t.grad, budget),
    )  # fmt: skip


def storage_groups(tensors: list[TensorInfo]) -> list[list[int]]:
    """Indices of tensors grouped by shared storage, in the order of the report."""
    group_of: dict[str, int] = {}
    groups: list[list[int]] = []
    for i, t in enumerate(tensors):
        known = [group_of[n] for n in t.shares_storage_with[:MAX_SHARED_NAMES] if n in group_of]
        index = known[0] if known else len(groups)
        if not known:
            groups.append([])
        groups[index].append(i)
        group_of.setdefault(t.name, index)
    return groups


def tensor_groups(
    report: RunResponse, graph: GraphView | None, budget: Budget
) -> list[list[TensorView]]:
    tensors = report.tensors[:MAX_TENSORS]
    node_ids = {}
    for node in graph.nodes if graph else ():
        if node["name"] and node["kind"] != "op":
            node_ids.setdefault(node["name"], node["id"])
    groups = []
    for members in storage_groups(tensors):
        infos = [tensors[i] for i in members]
        layouts = views.group_layouts(infos)
        group = []
        for i, info, layout in zip(members, infos, layouts, strict=True):
            view = tensor_view(info, i, layout, budget)
            view.node_id = node_ids.get(info.name)
            group.append(view)
        groups.append(group)
    return groups


def module_views(modules: list[ModuleInfo]) -> list[ModuleView]:
    def rows(items: list[Any]) -> list[tuple[str, str, str, bool]]:
        return [(cut(p.name, MAX_NAME_CHARS), shape_text(p.shape), cut(p.dtype, 40),
                 p.requires_grad) for p in items[:MAX_PARAMETERS]]  # fmt: skip

    return [
        ModuleView(cut(m.name, MAX_NAME_CHARS), cut(m.type, MAX_NAME_CHARS), m.training,
                   rows(m.parameters), rows(m.buffers),
                   len(m.parameters) > MAX_PARAMETERS or len(m.buffers) > MAX_PARAMETERS)
        for m in modules[:MAX_MODULES]
    ]  # fmt: skip


def operand_views(operands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Operands with only the fields the page shows, each checked for its type."""

    def text(value: Any, limit: int = MAX_NAME_CHARS) -> str:
        return cut(value, limit) if isinstance(value, str) else ""

    def ints(value: Any) -> str:
        ok = isinstance(value, list) and all(isinstance(v, int) for v in value[:64])
        return shape_text(value) if ok else ""

    return [
        {"expr": text(op.get("expr"), 400), "raised": op.get("raised") is True,
         "op": text(op.get("op")), "shape": ints(op.get("shape")), "dtype": text(op.get("dtype")),
         "stride": ints(op.get("stride"))}
        for op in operands[-MAX_OPERANDS:]
    ]  # fmt: skip


def error_view(error: ErrorInfo, code_lines: list[str]) -> ErrorView:
    explanation = error.explanation
    line = error.line if line_of(code_lines, error.line) is not None else None
    return ErrorView(
        type=cut(error.type, MAX_NAME_CHARS), message=cut(error.message, MAX_MESSAGE_CHARS),
        line=line, source=line_of(code_lines, line), traceback=cut(error.traceback,
        MAX_TRACEBACK_CHARS), is_limit=error.type in LIMIT_ERROR_TYPES,
        title=cut(explanation.title, 200) if explanation else None,
        why=cut(explanation.why, MAX_MESSAGE_CHARS) if explanation else None,
        fix=cut(explanation.fix, MAX_MESSAGE_CHARS) if explanation else None,
        lesson=cut(explanation.lesson, MAX_NAME_CHARS) if explanation else None,
        operands=operand_views(error.operands),
    )  # fmt: skip


def figures(report: RunResponse) -> tuple[list[str], int]:
    kept: list[str] = []
    room = MAX_FIGURE_BYTES
    for figure in report.figures[:MAX_FIGURES]:
        if len(figure.data) <= room and _BASE64.fullmatch(figure.data):
            kept.append(figure.data)
            room -= len(figure.data)
    return kept, len(report.figures) - len(kept)


def results_view(report: RunResponse, code: str, lang: str) -> ResultsView:
    code_lines = code.splitlines()
    budget = Budget()
    error = error_view(report.error, code_lines) if report.error else None
    graph = build_graph_view(report)
    groups = tensor_groups(report, graph, budget)
    lines = bound_lines(report.steps, len(code_lines))
    for group in groups:
        for view in group:
            view.line = lines.get(view.name)
    count = sum(len(group) for group in groups)
    if count <= EXPAND_UP_TO:
        for group in groups:
            for view in group:
                view.expanded = True
    figs, left_out = figures(report)
    warnings = [
        (w.line if line_of(code_lines, w.line) else None,
         cut(w.message_zh if lang == "zh" and w.message_zh else w.message, MAX_MESSAGE_CHARS))
        for w in report.warnings[:MAX_WARNINGS]
    ]  # fmt: skip
    return ResultsView(
        ok=report.ok, duration_ms=f"{min(max(number(report.duration_ms) or 0.0, 0.0), 1e9):.0f}",
        error=error,
        warnings=warnings, stdout=cut(report.stdout, MAX_OUTPUT_CHARS),
        stderr=cut(report.stderr, MAX_OUTPUT_CHARS),
        output_cut=report.truncated or len(report.stdout) > MAX_OUTPUT_CHARS
        or len(report.stderr) > MAX_OUTPUT_CHARS,
        figures=figs, figures_left_out=left_out, groups=groups, tensor_count=count,
        tensors_left_out=max(0, len(report.tensors) - MAX_TENSORS),
        modules=module_views(report.modules),
        graph=graph.to_json() if graph else None,
        steps=build_steps(report, len(code_lines)),
        meta={"ran": True, "ok": report.ok, "error_line": error.line if error else None,
              "error_message": cut(f"{error.type}: {error.message}", 300) if error else None},
    )  # fmt: skip
