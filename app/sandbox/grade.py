"""Graded runs (the classroom): variables captured in full, functions called under given seeds.

A run request may carry `grade`, written by the server (never by a client):

    {"capture": ["y", "model.weight"],
     "calls": [{"name": "f", "args": "(torch.randn(4, 3),)", "seeds": [11, 12, 13]}]}

After the snippet ran (and its report was built, so grading cannot change what the report
shows), the child captures each named value in full and, for each call and seed, seeds the
generators, evaluates `args` in a fresh namespace and calls the snippet's function. The report
then carries `"grade": {"values": {name: Value}, "calls": [[Value per seed], ...]}`.

The child only *reports*; it decides nothing. The server compares these values with those of
the exercise's reference, run in a sandboxed run of its own (app/classroom/), and validates
them like any report: a submission can forge all of this, and fails, not knowing the
reference's values. Everything is bounded by the GRADE_* limits in limits.py.

A Value is JSON: `{"t": "tensor", "dtype", "shape", "data": base64 of the little-endian
elements}` (bfloat16 travels as float32), `{"t": "int" | "float" | "bool" | "str", "v"}`
(floats that JSON cannot hold as the strings "nan", "inf", "-inf"), `{"t": "none"}`,
`{"t": "tuple" | "list", "items"}`, or what stands in for a value: `missing`, `too_large`,
`other` (a type nothing compares: its `type`), `unsupported` (a tensor that cannot be read
out: its `reason`), `raised` (the call raised: `type`, `message`), `args_raised`, `limit`.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch._C import DisableTorchFunction, TensorBase

from app.sandbox.limits import (
    GRADE_MAX_CALLS,
    GRADE_MAX_DEPTH,
    GRADE_MAX_ITEMS,
    GRADE_MAX_NAMES,
    GRADE_MAX_NUMBERS,
    GRADE_MAX_TEXT,
    GRADE_MAX_TRIALS,
)

Value = dict[str, Any]
DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*")
WIRE_DTYPES: dict[torch.dtype, tuple[torch.dtype, str]] = {
    torch.float32: (torch.float32, "<f4"),
    torch.float64: (torch.float64, "<f8"),
    torch.float16: (torch.float16, "<f2"),
    torch.bfloat16: (torch.float32, "<f4"),  # numpy has no bfloat16: exact in float32
    torch.complex64: (torch.complex64, "<c8"),
    torch.complex128: (torch.complex128, "<c16"),
    torch.int8: (torch.int8, "i1"),
    torch.uint8: (torch.uint8, "u1"),
    torch.int16: (torch.int16, "<i2"),
    torch.int32: (torch.int32, "<i4"),
    torch.int64: (torch.int64, "<i8"),
    torch.bool: (torch.bool, "|b1"),
}
"""How each dtype's elements travel: the dtype they are read out as, and its numpy layout.
The server decodes with its own copy of this table (app/classroom/values.py), keyed by the
dtype's name, never by anything the run says about the layout."""
INT64 = 2**63


class _Budget:
    def __init__(self, numbers: int) -> None:
        self.left = numbers

    def take(self, count: int) -> bool:
        if count > self.left:
            return False
        self.left -= count
        return True


def grade_here(
    spec: dict[str, Any],
    namespace: dict[str, Any],
    *,
    seed: Callable[[int], None],
    fresh_namespace: Callable[[], dict[str, Any]],
    limit_of: Callable[[BaseException], str | None],
) -> dict[str, Any]:
    """Capture and call what `spec` asks; never raises. `limit_of` names the run's own limits
    (time, output, memory): one of those stops grading, marking what is left `limit`."""
    budget = _Budget(GRADE_MAX_NUMBERS)
    names = [str(n) for n in spec.get("capture", [])][:GRADE_MAX_NAMES]
    calls = list(spec.get("calls", []))[:GRADE_MAX_CALLS]
    result: dict[str, Any] = {"values": {}, "calls": []}
    try:
        for name in names:
            result["values"][name] = _guarded(lambda n=name: capture(namespace, n, budget),
                                              limit_of)  # fmt: skip
        for call in calls:
            trials: list[Value] = []
            result["calls"].append(trials)
            _call(call, namespace, budget, trials, seed, fresh_namespace, limit_of)
    except _Stopped as stop:
        result["stopped"] = stop.kind
        for name in names:
            result["values"].setdefault(name, {"t": "limit", "type": stop.kind})
        while len(result["calls"]) < len(calls):
            result["calls"].append([])
        for call, trials in zip(calls, result["calls"], strict=True):
            wanted = min(len(call.get("seeds", [])), GRADE_MAX_TRIALS)
            trials.extend({"t": "limit", "type": stop.kind} for _ in range(wanted - len(trials)))
    return result


class _Stopped(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _guarded(build: Callable[[], Value], limit_of: Callable[[BaseException], str | None]) -> Value:
    """A value, or what the failure to read it says; a run limit stops everything."""
    try:
        return build()
    except BaseException as exc:  # the snippet's objects may raise anything from a getattr
        kind = limit_of(exc)
        if kind is not None:
            raise _Stopped(kind) from None
        return {"t": "raised", "type": _type_name(exc), "message": _message(exc)}


def _call(
    call: dict[str, Any],
    namespace: dict[str, Any],
    budget: _Budget,
    trials: list[Value],
    seed: Callable[[int], None],
    fresh_namespace: Callable[[], dict[str, Any]],
    limit_of: Callable[[BaseException], str | None],
) -> None:
    seeds = [int(s) for s in call.get("seeds", [])][:GRADE_MAX_TRIALS]
    name = str(call.get("name", ""))
    try:
        function = resolve(namespace, name)
    except LookupError:
        trials.extend({"t": "missing"} for _ in seeds)
        return
    if not callable(function):
        trials.extend({"t": "other", "type": _type_name(function)} for _ in seeds)
        return
    compiled = compile(str(call.get("args", "()")), "<args>", "eval", dont_inherit=True)
    for trial_seed in seeds:
        seed(trial_seed)
        args = _guarded(lambda: {"t": "args", "v": eval(compiled, fresh_namespace())}, limit_of)
        if args["t"] != "args":
            trials.append({**args, "t": "args_raised"})
            continue
        given = args["v"] if isinstance(args["v"], tuple) else (args["v"],)
        trials.append(_guarded(lambda given=given: encode(function(*given), budget), limit_of))


def resolve(namespace: dict[str, Any], dotted: str) -> Any:
    """`model.weight` from the snippet's globals: a variable, then attributes (no dunders).
    LookupError when it is not there."""
    if not DOTTED_NAME.fullmatch(dotted):
        raise LookupError(dotted)
    first, *rest = dotted.split(".")
    if first not in namespace:
        raise LookupError(dotted)
    value = namespace[first]
    for part in rest:
        if part.startswith("__"):
            raise LookupError(dotted)
        try:
            value = getattr(value, part)
        except AttributeError:
            raise LookupError(dotted) from None
    return value


def capture(namespace: dict[str, Any], name: str, budget: _Budget) -> Value:
    try:
        value = resolve(namespace, name)
    except LookupError:
        return {"t": "missing"}
    return encode(value, budget)


def encode(value: Any, budget: _Budget, depth: int = 0) -> Value:
    """One value as JSON, its numbers counted against the budget."""
    if isinstance(value, Tensor):
        return _tensor(value, budget)
    if isinstance(value, bool | np.bool_):
        return _scalar("bool", bool(value), budget)
    if isinstance(value, int | np.integer):
        number = int(value)
        if not -INT64 <= number < INT64:
            return {"t": "other", "type": "int beyond 64 bits"}
        return _scalar("int", number, budget)
    if isinstance(value, float | np.floating):
        return _scalar("float", float_json(float(value)), budget)
    if value is None:
        return {"t": "none"}
    if isinstance(value, str):
        if len(value) > GRADE_MAX_TEXT:
            return {"t": "too_large", "type": "str", "size": len(value)}
        return {"t": "str", "v": str(value)}
    if isinstance(value, tuple | list):
        kind = "tuple" if isinstance(value, tuple) else "list"
        if depth >= GRADE_MAX_DEPTH or len(value) > GRADE_MAX_ITEMS:
            return {"t": "too_large", "type": kind, "size": len(value)}
        return {"t": kind, "items": [encode(item, budget, depth + 1) for item in list(value)]}
    return {"t": "other", "type": _type_name(value)}


def _scalar(kind: str, value: Any, budget: _Budget) -> Value:
    if not budget.take(1):
        return {"t": "too_large", "type": kind, "size": 1}
    return {"t": kind, "v": value}


def float_json(number: float) -> float | str:
    """JSON has no NaN or infinity: those travel as strings."""
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def _tensor(t: Tensor, budget: _Budget) -> Value:
    """Every element, read through torch's own descriptors (a subclass cannot intervene)."""
    with DisableTorchFunction():
        plain = t if type(t) is Tensor else TensorBase.as_subclass(t, Tensor)
        head: Value = {
            "t": "tensor",
            "dtype": str(plain.dtype),
            "shape": list(plain.shape),
            "requires_grad": bool(plain.requires_grad),
        }
        wire = WIRE_DTYPES.get(plain.dtype)
        if wire is None:
            return {**head, "t": "unsupported", "reason": f"dtype {plain.dtype}"}
        if plain.layout != torch.strided or plain.device.type != "cpu" or plain.is_nested:
            return {**head, "t": "unsupported", "reason": f"{plain.layout} on {plain.device}"}
        numel = plain.numel()
        if not budget.take(numel):
            return {**head, "t": "too_large", "size": numel}
        read_as, layout = wire
        elements = plain.detach().resolve_conj().resolve_neg().to(read_as).contiguous()
        data = elements.numpy().astype(np.dtype(layout), copy=False).tobytes()
        return {**head, "data": base64.b64encode(data).decode("ascii")}


def _type_name(value: object) -> str:
    return type(value).__name__[:100]


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:GRADE_MAX_TEXT]
    except Exception:
        return ""
