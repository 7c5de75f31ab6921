"""A tensor's values as the page shows them: tables, a sparkline, a mini heatmap, numbers.

`values` in a report is any JSON the child wrote. Everything here walks at most as deep as
the shape says and at most `limits` wide, and shows only numbers, booleans and short
strings; any other JSON becomes "—". Colours are CSS classes (the page's CSP allows no
inline style), chosen from a few fixed levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

NONFINITE = ("NaN", "Infinity", "-Infinity")
HEAT_LEVELS = 5
"""Cells are tinted in this many steps each side of zero (classes heat-p1…, heat-n1…)."""
SPARK_POINTS = 64
MINI_HEAT_SIDE = 8
MAX_SCALAR_CHARS = 32
MAX_INT_DIGITS = 18


@dataclass(slots=True, frozen=True)
class ValueCell:
    text: str
    css: str
    slot: int | None = None


@dataclass(slots=True, frozen=True)
class ValueSlice:
    label: str
    rows: list[list[ValueCell]]


@dataclass(slots=True, frozen=True)
class ValueTable:
    slices: list[ValueSlice]
    cut: bool
    """Some values (rows, columns or slices) were left out to keep the card small."""
    as_row: bool
    """An (N, 1) tensor drawn as one row, like a (1, N) one."""


@dataclass(slots=True, frozen=True)
class Spark:
    """A sparkline (1-D) or a mini heatmap (2-D) for a tensor's compact row."""

    kind: str
    points: str = ""
    squares: tuple[tuple[int, int, str], ...] = ()
    width: int = 0
    height: int = 0


def show_int(value: Any) -> str:
    """An integer as text, without the ValueError Python raises past 4300 digits."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "—"
    if abs(value) < 10**MAX_INT_DIGITS:
        return str(value)
    return f"{'-' if value < 0 else ''}≈10^{math.floor(math.log10(abs(value)))}"


def format_number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return show_int(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str):
        return value[:MAX_SCALAR_CHARS]
    return "—"


def number(value: Any) -> float | None:
    """A finite float for a JSON number, else None (bools, strings, huge ints)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        result = float(value)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def heat_class(value: Any, scale: float) -> str:
    """`heat-p3`: a cell's tint on a blue-white-red scale around zero."""
    x = number(value)
    if x is None or scale <= 0 or x == 0:
        return ""
    level = max(1, min(HEAT_LEVELS, math.ceil(abs(x) / scale * HEAT_LEVELS)))
    return f"heat-{'p' if x > 0 else 'n'}{level}"


def _row(values: Any, width: int) -> tuple[list[Any], bool]:
    """Up to `width` items of a list; (items, whether some were left out)."""
    if not isinstance(values, list):
        return [], False
    return values[:width], len(values) > width


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else None


def value_table(
    values: Any, shape: list[int], *, rows: int, cols: int, slices: int, heat: bool,
    scale: float, slot_of: dict[tuple[int, ...], int] | None = None,
) -> ValueTable:  # fmt: skip
    """The values as 2-D tables: one for 0-2-D tensors, one per leading index beyond that.

    (N, 1) is drawn as one row; a table holds at most `rows` x `cols` cells and there are at
    most `slices` tables, so a card's size does not depend on what the report claims.
    """
    cut = False
    ndim = len(shape)

    def cell(value: Any, index: tuple[int, ...]) -> ValueCell:
        if isinstance(value, list | dict):
            value = None
        css = "nonfinite" if value in NONFINITE else heat_class(value, scale) if heat else ""
        slot = slot_of.get(index) if slot_of else None
        return ValueCell(format_number(value), css, slot)

    if ndim == 0:
        return ValueTable([ValueSlice("", [[cell(values, ())]])], False, False)
    if ndim == 1 or (ndim == 2 and shape[1] == 1):
        width = rows * cols
        if ndim == 1:
            items, cut = _row(values, width)
            flat = [(v, (i,)) for i, v in enumerate(items)]
        else:
            column, cut = _row(values, width)
            flat = [(_first(v), (i, 0)) for i, v in enumerate(column)]
        row = [cell(v, index) for v, index in flat]
        return ValueTable([ValueSlice("", [row])], cut, ndim == 2)

    def table(sub: Any, prefix: tuple[int, ...]) -> list[list[ValueCell]]:
        nonlocal cut
        lines, more = _row(sub, rows)
        cut |= more
        out = []
        for i, line in enumerate(lines):
            items, more = _row(line, cols)
            cut |= more
            out.append([cell(v, (*prefix, i, j)) for j, v in enumerate(items)])
        return out

    if ndim == 2:
        return ValueTable([ValueSlice("", table(values, ()))], cut, False)
    found: list[ValueSlice] = []
    stack: list[tuple[Any, tuple[int, ...]]] = [(values, ())]
    while stack and len(found) < slices:  # depth-first, leading indices in order
        sub, prefix = stack.pop()
        if len(prefix) == ndim - 2:
            label = ", ".join([*map(str, prefix), ":", ":"])
            found.append(ValueSlice(label, table(sub, prefix)))
            continue
        items, more = _row(sub, slices)
        cut |= more
        stack.extend((item, (*prefix, i)) for i, item in reversed(list(enumerate(items))))
    cut |= bool(stack)
    return ValueTable(found, cut, False)


def sparkline(values: Any, shape: list[int]) -> Spark | None:
    """A polyline of up to SPARK_POINTS values of a 1-D (or (N, 1)) tensor."""
    column = len(shape) == 2 and shape[1] == 1
    if not (len(shape) == 1 or column) or not isinstance(values, list):
        return None
    items = values[:SPARK_POINTS]
    if column:
        items = [_first(v) for v in items]
    numbers = [number(v) for v in items]
    known = [x for x in numbers if x is not None]
    if len(known) < 2:
        return None
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    if not math.isfinite(span):
        return None
    width, height = 2 * (len(numbers) - 1), 16
    points = " ".join(
        f"{2 * i},{height - 1 - (x - low) / span * (height - 2):.1f}"
        for i, x in enumerate(numbers)
        if x is not None
    )
    return Spark("line", points=points, width=max(width, 2), height=height)


def mini_heat(values: Any, shape: list[int], scale: float) -> Spark | None:
    """Up to 8 x 8 squares tinted like the table, for a 2-D tensor's compact row."""
    if len(shape) != 2 or shape[1] == 1 or not isinstance(values, list):
        return None
    squares = []
    for i, row in enumerate(values[:MINI_HEAT_SIDE]):
        for j, value in enumerate(row[:MINI_HEAT_SIDE] if isinstance(row, list) else []):
            squares.append((j * 4, i * 4, heat_class(value, scale) or "heat-0"))
    if not squares:
        return None
    side_x = 4 * max(x // 4 for x, _, _ in squares) + 4
    side_y = 4 * max(y // 4 for _, y, _ in squares) + 4
    return Spark("heat", squares=tuple(squares), width=side_x, height=side_y)


def code_spans(text: str) -> Markup:
    """Escape `text` and set its `backticked` parts as code, as the pitfall catalog writes them."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as written
        return escape(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )


def shape_text(shape: list[int] | None, max_dims: int = 12) -> str:
    """`[2, 3]`; a shape with more than `max_dims` dimensions is cut with an ellipsis."""
    if shape is None:
        return "—"
    shown = [show_int(size) for size in shape[:max_dims]]
    if len(shape) > max_dims:
        shown.append(f"… {show_int(len(shape))} dims")
    return f"[{', '.join(shown)}]"
