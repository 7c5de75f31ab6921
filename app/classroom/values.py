"""The values a graded run sent back (app/sandbox/grade.py), read as hostile data, and
compared in the server's own process.

A run's `grade` section is its word like the rest of its report: `decode_grade` refuses
anything that is not exactly the shape asked for (a value per name, a result per trial),
every tensor's bytes must be exactly `numel x itemsize` of the layout *this* table gives its
dtype, and all the numbers together stay within GRADE_MAX_NUMBERS. `compare` then says, in
facts, how a value differs from the expected one: never the expected numbers themselves,
and differences only for floating values, rounded to two significant digits, so that no
detail hands out a value precise enough to pass a check with (an integer's difference would).
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.sandbox.limits import (
    GRADE_MAX_DEPTH,
    GRADE_MAX_ITEMS,
    GRADE_MAX_NUMBERS,
    GRADE_MAX_TEXT,
)

WIRE_LAYOUTS = {
    "torch.float32": "<f4",
    "torch.float64": "<f8",
    "torch.float16": "<f2",
    "torch.bfloat16": "<f4",
    "torch.complex64": "<c8",
    "torch.complex128": "<c16",
    "torch.int8": "i1",
    "torch.uint8": "u1",
    "torch.int16": "<i2",
    "torch.int32": "<i4",
    "torch.int64": "<i8",
    "torch.bool": "|b1",
}
"""The server's copy of grade.py's WIRE_DTYPES (a test keeps them equal), by dtype name."""
PLACEHOLDERS = {"missing", "too_large", "other", "unsupported", "raised", "args_raised", "limit"}
MAX_DIMS = 64


class ValueProblem(ValueError):
    """What makes a run's grade section impossible to read."""


@dataclass(frozen=True, slots=True)
class TensorValue:
    dtype: str
    shape: tuple[int, ...]
    array: np.ndarray


@dataclass(frozen=True, slots=True)
class Scalar:
    kind: str  # int, float, bool, str, none
    value: Any


@dataclass(frozen=True, slots=True)
class Sequence:
    kind: str  # tuple, list
    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """What stands in for a value the run could not give (see grade.py)."""

    kind: str
    type: str | None = None
    message: str | None = None
    size: int | None = None
    reason: str | None = None


Value = TensorValue | Scalar | Sequence | Placeholder


@dataclass(slots=True)
class Graded:
    """A graded run's values: one per captured name, one per trial of each call."""

    values: dict[str, Value]
    calls: list[list[Value]]
    numbers: int = 0

    def nbytes(self) -> int:
        return 8 * self.numbers + 64 * (len(self.values) + sum(len(c) for c in self.calls))


@dataclass(slots=True)
class _Budget:
    left: int = GRADE_MAX_NUMBERS
    used: int = 0

    def take(self, count: int) -> None:
        if count > self.left:
            raise ValueProblem(f"more than {GRADE_MAX_NUMBERS} numbers in all")
        self.left -= count
        self.used += count


def decode_grade(raw: Any, names: list[str], trials: list[int]) -> Graded:
    """The grade section of a run asked to capture `names` and make `trials[i]` trials of
    call `i`; `ValueProblem` for anything else."""
    if not isinstance(raw, dict):
        raise ValueProblem("no grade section")
    values, calls = raw.get("values"), raw.get("calls")
    if not isinstance(values, dict) or not isinstance(calls, list):
        raise ValueProblem("the grade section is not {values, calls}")
    if set(values) != set(names):
        raise ValueProblem("values for other names than those asked for")
    if len(calls) != len(trials) or any(
        not isinstance(c, list) or len(c) != n for c, n in zip(calls, trials, strict=False)
    ):
        raise ValueProblem("another number of call results than asked for")
    budget = _Budget()
    decoded = Graded(
        values={name: decode(values[name], budget) for name in names},
        calls=[[decode(result, budget) for result in call] for call in calls],
    )
    decoded.numbers = budget.used
    return decoded


def decode(raw: Any, budget: _Budget, depth: int = 0) -> Value:
    if not isinstance(raw, dict) or not isinstance(raw.get("t"), str):
        raise ValueProblem("a value that is not {t: ...}")
    kind = raw["t"]
    if kind == "tensor":
        return _tensor(raw, budget)
    if kind in ("int", "float", "bool"):
        budget.take(1)
        return Scalar(kind, _number(kind, raw.get("v")))
    if kind == "str":
        text = raw.get("v")
        if not isinstance(text, str) or len(text) > GRADE_MAX_TEXT:
            raise ValueProblem("a str value that is not a short string")
        return Scalar("str", text)
    if kind == "none":
        return Scalar("none", None)
    if kind in ("tuple", "list"):
        items = raw.get("items")
        if depth >= GRADE_MAX_DEPTH or not isinstance(items, list) or len(items) > GRADE_MAX_ITEMS:
            raise ValueProblem(f"a {kind} deeper or longer than the limits")
        return Sequence(kind, tuple(decode(item, budget, depth + 1) for item in items))
    if kind in PLACEHOLDERS:
        return Placeholder(
            kind,
            type=_short(raw.get("type")) or _short(raw.get("dtype")),
            message=_short(raw.get("message")),
            size=raw["size"] if isinstance(raw.get("size"), int) else None,
            reason=_short(raw.get("reason")),
        )
    raise ValueProblem(f"an unknown kind of value {kind[:40]!r}")


def _short(text: Any) -> str | None:
    return text[:GRADE_MAX_TEXT] if isinstance(text, str) else None


def _number(kind: str, value: Any) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueProblem("a bool that is not true or false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**63:
            raise ValueProblem("an int that is not a 64-bit integer")
        return value
    if value in ("nan", "inf", "-inf"):
        return float(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueProblem("a float that is not a number")
    return float(value)


def _tensor(raw: dict[str, Any], budget: _Budget) -> TensorValue:
    dtype, shape, data = raw.get("dtype"), raw.get("shape"), raw.get("data")
    layout = WIRE_LAYOUTS.get(dtype) if isinstance(dtype, str) else None
    if layout is None:
        raise ValueProblem("a tensor of a dtype that is not sent in full")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_DIMS
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise ValueProblem("a tensor whose shape is not a list of sizes")
    numel = math.prod(shape)
    budget.take(numel)
    if not isinstance(data, str) or len(data) > 4 * (numel * 16 + 2) // 3 + 4:
        raise ValueProblem("a tensor whose data is not its elements")
    try:
        raw_bytes = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueProblem("a tensor whose data is not base64") from None
    wire = np.dtype(layout)
    if len(raw_bytes) != numel * wire.itemsize:
        raise ValueProblem("a tensor whose data is not numel x itemsize bytes")
    array = np.frombuffer(raw_bytes, dtype=wire).reshape(shape)
    if wire.kind == "b" and raw_bytes and max(raw_bytes) > 1:
        raise ValueProblem("a bool tensor with bytes other than 0 and 1")
    return TensorValue(dtype, tuple(shape), array)


# ---- comparing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mismatch:
    """How `found` differs from what was expected, in facts (see wording.py for the words).
    `path` holds the indices into tuples and lists on the way to the difference."""

    key: str
    facts: dict[str, Any] = field(default_factory=dict)
    path: tuple[int, ...] = ()


def compare(expected: Value, found: Value, atol: float, rtol: float) -> Mismatch | None:
    """None when `found` is the expected value (tensors: shape, dtype, values within
    `atol + rtol * |expected|`, NaN where NaN is expected; others: ==)."""
    if isinstance(expected, Placeholder):
        return Mismatch("reference_unusable", {"kind": expected.kind})
    if isinstance(found, Placeholder):
        return Mismatch(found.kind, _placeholder_facts(found))
    if isinstance(expected, TensorValue):
        if not isinstance(found, TensorValue):
            return Mismatch("not_tensor", {"found": describe(found)})
        return _tensors(expected, found, atol, rtol)
    if isinstance(expected, Sequence):
        if not isinstance(found, Sequence) or found.kind != expected.kind:
            return Mismatch("kind", {"expected": describe(expected), "found": describe(found)})
        if len(found.items) != len(expected.items):
            return Mismatch("length", {"expected": len(expected.items), "found": len(found.items)})
        for index, (want, got) in enumerate(zip(expected.items, found.items, strict=True)):
            inner = compare(want, got, atol, rtol)
            if inner is not None:
                return Mismatch(inner.key, inner.facts, (index, *inner.path))
        return None
    assert isinstance(expected, Scalar)
    if not isinstance(found, Scalar):
        return Mismatch("kind", {"expected": describe(expected), "found": describe(found)})
    return _scalars(expected, found, atol, rtol)


def _placeholder_facts(found: Placeholder) -> dict[str, Any]:
    facts = {
        "type": found.type or "",
        "message": found.message or "",
        "size": found.size,
        "reason": found.reason or "",
        "cap": GRADE_MAX_NUMBERS,
    }
    return facts


def _scalars(expected: Scalar, found: Scalar, atol: float, rtol: float) -> Mismatch | None:
    numeric = ("int", "float", "bool")
    if expected.kind in numeric and found.kind in numeric:
        want, got = expected.value, found.value
        if "float" in (expected.kind, found.kind):
            if _close(float(want), float(got), atol, rtol):
                return None
            return Mismatch("not_equal", {"found": got, "off_by": _about(float(got) - float(want))})
        return None if want == got else Mismatch("not_equal", {"found": got})  # no off-by: exact
    if expected.kind == found.kind and expected.value == found.value:
        return None
    if expected.kind != found.kind:
        return Mismatch("kind", {"expected": describe(expected), "found": describe(found)})
    return Mismatch("not_equal", {"found": found.value})


def _close(want: float, got: float, atol: float, rtol: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return want == got
    return abs(got - want) <= atol + rtol * abs(want)


def _tensors(
    expected: TensorValue, found: TensorValue, atol: float, rtol: float
) -> Mismatch | None:
    if found.shape != expected.shape:
        return Mismatch("shape", {"expected": list(expected.shape), "found": list(found.shape)})
    if found.dtype != expected.dtype:
        return Mismatch("dtype", {"expected": expected.dtype, "found": found.dtype})
    want, got = expected.array, found.array
    if want.dtype.kind == "b":
        differs = want != got
        difference = None
    else:
        if want.dtype.kind in "iu":  # exact: a float64 difference of int64s could round
            differs = want != got
            difference = np.abs(got.astype(np.float64) - want.astype(np.float64))
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                difference = np.abs(
                    got.astype(np.complex128 if want.dtype.kind == "c" else np.float64) - want
                )
                differs = ~(
                    (difference <= atol + rtol * np.abs(want))
                    | (np.isnan(want) & np.isnan(got))
                    | ((want == got) & np.isinf(want))
                )
    count = int(np.count_nonzero(differs))
    if count == 0:
        return None
    exact = want.dtype.kind in "biu"  # an integer's difference would give the expected value
    if not expected.shape:
        facts = {"found": _element(got.reshape(-1)[0])}
        off = None if exact or difference is None else float(difference.reshape(-1)[0])
        if off is not None and math.isfinite(off):
            facts["off_by"] = _about(off)
        return Mismatch("not_equal", facts)
    flat = np.flatnonzero(differs)
    first = flat[0]
    facts: dict[str, Any] = {
        "count": count,
        "numel": int(want.size),
        "first": _index(first, expected.shape),
        "first_value": _element(got.reshape(-1)[first]),
        "atol": atol,
        "rtol": rtol,
    }
    if difference is not None and not exact:
        flat_difference = np.where(differs, np.nan_to_num(difference, nan=np.inf), 0).reshape(-1)
        largest = int(np.argmax(flat_difference))
        facts["first_off_by"] = _about(float(flat_difference[first]))
        facts["largest_off_by"] = _about(float(flat_difference[largest]))
        facts["largest_at"] = _index(largest, expected.shape)
        facts["nan_mismatch"] = bool(np.any(np.isnan(want) != np.isnan(got)))
    return Mismatch("values", facts)


def _index(flat: int | np.integer, shape: tuple[int, ...]) -> list[int]:
    return [int(i) for i in np.unravel_index(int(flat), shape)] if shape else []


def _element(value: Any) -> Any:
    """The submission's own element (its own value, never the reference's)."""
    item = value.item()
    if isinstance(item, float):
        return float(f"{item:.6g}") if math.isfinite(item) else str(item)
    if isinstance(item, complex):
        return str(item)
    return item


def _about(difference: float) -> str:
    """A difference to two significant digits: enough to see how far off, never enough to
    rebuild the expected value."""
    if math.isnan(difference) or math.isinf(difference):
        return "∞" if difference > 0 else "NaN"
    return f"{abs(difference):.2g}"


def describe(value: Value) -> str:
    """What kind of value this is, in code-like words both languages share."""
    if isinstance(value, TensorValue):
        return f"tensor {list(value.shape)} {value.dtype}"
    if isinstance(value, Sequence):
        return f"{value.kind} of {len(value.items)}"
    if isinstance(value, Scalar):
        return "None" if value.kind == "none" else value.kind
    return value.type or value.kind
