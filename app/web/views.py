"""How a run report is laid out on the page: plain data and small formatting helpers.

Pure functions of the report (no request, no templates engine), so each picture the page
draws, the memory layout above all, can be checked against torch in a unit test.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from app.outcome import LIMIT_ERROR_TYPES
from app.schemas import GradInfo, RunResponse, TensorInfo

LIMIT_ERRORS = LIMIT_ERROR_TYPES
MAX_LAYOUT_CELLS = 96
"""Above this many elements or storage cells the memory picture is words, not boxes."""



@dataclass(slots=True, frozen=True)
class Cell:
    index: int
    value: Any
    reads: int


@dataclass(slots=True, frozen=True)
class Element:
    label: str
    index: int


@dataclass(slots=True, frozen=True)
class Layout:
    """Element `[i, j, …]` reads storage cell `offset + i·stride_0 + j·stride_1 + …`."""

    formula: str
    storage: list[Cell]
    elements: list[Element]
    row_length: int


@dataclass(slots=True, frozen=True)
class Card:
    tensor: TensorInfo
    layout: Layout | None
    node_id: str | None


def storage_groups(tensors: list[TensorInfo]) -> list[list[TensorInfo]]:
    """Tensors grouped by shared storage, groups and members in the order of the report."""
    group_of: dict[str, int] = {}
    groups: list[list[TensorInfo]] = []
    for t in tensors:
        known = [group_of[n] for n in t.shares_storage_with if n in group_of]
        index = known[0] if known else len(groups)
        if not known:
            groups.append([])
        groups[index].append(t)
        group_of[t.name] = index
    return groups


def cells_read(t: GradInfo) -> list[tuple[tuple[int, ...], int]] | None:
    """Each element's index and the storage cell it reads; None when too big to draw."""
    if t.stride is None or not 0 < t.numel <= MAX_LAYOUT_CELLS:
        return None
    offset = t.storage_offset or 0
    return [
        (index, offset + sum(i * step for i, step in zip(index, t.stride, strict=True)))
        for index in itertools.product(*(range(n) for n in t.shape))
    ]


def index_names(t: GradInfo) -> str:
    """`i, j, k`: the names the layout formula gives a tensor's indices."""
    return ", ".join("ijklmn"[k] if k < 6 else f"i{k}" for k in range(len(t.shape)))


def formula(t: GradInfo) -> str:
    """`0 + i·3 + j·1`: the storage cell that element `[i, j]` reads."""
    names = index_names(t).split(", ") if t.shape else []
    terms = [f"{name}·{step}" for name, step in zip(names, t.stride or (), strict=False)]
    return " + ".join([str(t.storage_offset or 0), *terms])


def value_at(values: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        if not isinstance(values, list) or i >= len(values):
            return None
        values = values[i]
    return None if isinstance(values, list) else values


def build_groups(report: RunResponse) -> list[list[Card]]:
    """Cards grouped by storage; a group's pictures share one row of cells, filled by all."""
    node_ids = {node.name: node.id for node in report.graph.nodes if node.name}
    groups: list[list[Card]] = []
    for members in storage_groups(report.tensors):
        reads = {t.name: cells_read(t) for t in members}
        values: dict[int, Any] = {}
        for t in members:
            for index, cell in reads[t.name] or ():
                if values.get(cell) is None:
                    values[cell] = value_at(t.values, index)
        span = max(values, default=-1) + 1
        cards = []
        for t in members:
            layout = None
            if (cells := reads[t.name]) is not None and span <= MAX_LAYOUT_CELLS:
                counts = Counter(cell for _, cell in cells)
                layout = Layout(
                    formula(t),
                    [Cell(i, values.get(i), counts[i]) for i in range(span)],
                    [Element(", ".join(map(str, index)), cell) for index, cell in cells],
                    t.shape[-1] if t.shape else 1,
                )
            cards.append(Card(t, layout, node_ids.get(t.name)))
        groups.append(cards)
    return groups


def value_slices(values: Any, shape: list[int]) -> list[tuple[str, list[list[Any]]]]:
    """The values as 2-D tables: one for 0-2-D tensors, one per leading index beyond that."""
    if len(shape) == 0:
        return [("", [[values]])]
    if len(shape) == 1:
        return [("", [values if isinstance(values, list) else []])]
    if len(shape) == 2:
        return [("", values if isinstance(values, list) else [])]
    out: list[tuple[str, list[list[Any]]]] = []
    for i, sub in enumerate(values if isinstance(values, list) else []):
        for label, rows in value_slices(sub, shape[1:]):
            tail = label or ", ".join([":"] * 2)
            out.append((f"{i}, {tail}", rows))
    return out


def is_float(dtype: str) -> bool:
    return any(kind in dtype for kind in ("float", "half", "bfloat"))


def heat(value: Any, stats: Any) -> str:
    """A cell's background on a blue-white-red scale around zero (empty when not a number)."""
    if stats is None or not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    scale = max(abs(stats.min or 0.0), abs(stats.max or 0.0))
    if scale == 0 or not math.isfinite(value):
        return ""
    alpha = round(min(1.0, abs(value) / scale) * 0.55, 3)
    rgb = "214, 39, 40" if value > 0 else "31, 119, 180"
    return f"background-color: rgba({rgb}, {alpha})"


def code_spans(text: str) -> Markup:
    """Escape `text` and set its `backticked` parts as code, as the pitfall catalog writes them."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as written
        return escape(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )


def format_number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value is None else str(value)


def slot_colour(index: int) -> str:
    """A pale colour per storage cell, so an element and the cell it reads match at a glance."""
    return f"hsl({index * 47 % 360}, 75%, 84%)"


# ---- rendering ------------------------------------------------------------------------------
