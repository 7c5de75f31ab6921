"""The memory picture of a tensor card: which storage cell each element reads.

Pure functions of validated report fields. A report can say anything that fits its models
(shape `[1700, 1700]` with `numel` 1, strides of 10**30), so every walk here starts from the
*shape* and gives up before it does more than `MAX_LAYOUT_CELLS` steps: the reported `numel`
is never trusted to bound a loop.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.schemas import GradInfo
from app.web.values_view import format_number

MAX_LAYOUT_CELLS = 96
"""Above this many elements or storage cells the memory picture is words, not boxes."""
MAX_DIMS = 12
"""Shapes with more dimensions are shown as text only (torch allows 64)."""


@dataclass(slots=True, frozen=True)
class Cell:
    index: int
    value: str
    reads: int


@dataclass(slots=True, frozen=True)
class Element:
    label: str
    index: int


@dataclass(slots=True, frozen=True)
class Layout:
    """Element `[i, j, …]` reads storage cell `offset + i·stride_0 + j·stride_1 + …`."""

    storage: list[Cell]
    elements: list[Element]
    row_length: int


def bounded_numel(shape: Sequence[int], cap: int) -> int | None:
    """The product of `shape`, or None once it passes `cap` (or a size is negative)."""
    total = 1
    for size in shape:
        if size < 0:
            return None
        if size == 0:
            return 0
        total *= size
        if total > cap:
            return None
    return total


def cells_read(t: GradInfo) -> list[tuple[tuple[int, ...], int]] | None:
    """Each element's index and the storage cell it reads; None when too big to draw.

    The walk is bounded by the shape (never by `numel`), and every cell must land in
    `[0, MAX_LAYOUT_CELLS)`: a forged stride cannot make the picture wide.
    """
    stride = t.stride
    if stride is None or len(stride) != len(t.shape) or len(t.shape) > MAX_DIMS:
        return None
    count = bounded_numel(t.shape, MAX_LAYOUT_CELLS)
    if not count:
        return None
    offset = t.storage_offset or 0
    out = []
    for index in itertools.product(*(range(n) for n in t.shape)):
        cell = offset + sum(i * step for i, step in zip(index, stride, strict=True))
        if not 0 <= cell < MAX_LAYOUT_CELLS:
            return None
        out.append((index, cell))
    return out


def index_names(ndim: int) -> list[str]:
    """`i, j, k`: the names the layout formula gives a tensor's indices."""
    return ["ijklmn"[k] if k < 6 else f"i{k}" for k in range(ndim)]


def formula(t: GradInfo, show_int: Any = str) -> str:
    """`0 + i·3 + j·1`: the storage cell that element `[i, j]` reads."""
    if len(t.shape) > MAX_DIMS:
        return ""
    names = index_names(len(t.shape))
    terms = [f"{name}·{show_int(step)}" for name, step in zip(names, t.stride or (), strict=False)]
    return " + ".join([show_int(t.storage_offset or 0), *terms])


def value_at(values: Any, index: tuple[int, ...]) -> Any:
    for i in index:
        if not isinstance(values, list) or i >= len(values):
            return None
        values = values[i]
    return None if isinstance(values, list | dict) else values


def group_layouts(members: Sequence[GradInfo]) -> list[Layout | None]:
    """One layout per member; a storage group's pictures share one row of cells."""
    reads = [cells_read(t) for t in members]
    values: dict[int, Any] = {}
    for t, cells in zip(members, reads, strict=True):
        for index, cell in cells or ():
            if values.get(cell) is None:
                values[cell] = value_at(t.values, index)
    span = max(values, default=-1) + 1
    layouts: list[Layout | None] = []
    for t, cells in zip(members, reads, strict=True):
        if cells is None:
            layouts.append(None)
            continue
        counts = Counter(cell for _, cell in cells)
        layouts.append(
            Layout(
                [Cell(i, format_number(values.get(i)), counts[i]) for i in range(span)],
                [Element(", ".join(map(str, index)), cell) for index, cell in cells],
                t.shape[-1] if t.shape else 1,
            )
        )
    return layouts
