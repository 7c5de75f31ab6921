"""Facts about live tensors, as the JSON `TensorInfo` of ../shared/API.md.

Pure: takes torch objects, returns plain JSON-ready dicts. Every fact comes from torch
itself (`t.stride()`, `t.is_contiguous()`, ...), never recomputed, so the report cannot
disagree with what the student would see in a REPL. Methods are called on the class
(`Tensor.stride(t)`): a snippet may shadow them on its tensor (`x.detach = ...`).
Values are previewed, never dumped: a 10^6-element tensor yields at most `max_values`
numbers.

A tensor subclass can override `shape`, `stride()` and anything else, and its
`__torch_function__` can answer any call: every fact is read with torch functions disabled,
through `TensorBase`'s own descriptors, so an honest subclass cannot mislead the report.
Each tensor is described on its own: one that torch cannot fully describe (a sparse CSR
tensor has no `is_contiguous()`) is reported with what torch can say, and the others stay.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import torch
from torch import Tensor
from torch._C import DisableTorchFunction, TensorBase

from app.sandbox.limits import RunLimits

JSONValue = Any
DEFAULT_MAX_VALUES = RunLimits().max_values


def iter_tensors(namespace: Mapping[str, object]) -> list[tuple[str, torch.Tensor]]:
    """The namespace's tensor variables in the order their names were first bound.

    A dict keeps insertion order and `del` removes the key, so rebinding after a `del`
    counts from the new binding, as API.md asks.
    """
    return [(name, value) for name, value in namespace.items() if isinstance(value, torch.Tensor)]


def storage_address(t: torch.Tensor) -> int:
    """The address of `t`'s storage, or 0 where it has none (meta, sparse, empty)."""
    try:
        with DisableTorchFunction():
            return int(TensorBase.untyped_storage(t).data_ptr())
    except (RuntimeError, NotImplementedError, TypeError):
        return 0


def grad_fn_name(t: torch.Tensor) -> str | None:
    grad_fn = TensorBase.grad_fn.__get__(t)
    return None if grad_fn is None else type(grad_fn).__name__


def readable_grad(t: torch.Tensor) -> torch.Tensor | None:
    """`t.grad` without torch's warning for non-leaves that do not retain their grad."""
    if TensorBase.is_leaf.__get__(t) or TensorBase.retains_grad.__get__(t):
        return TensorBase.grad.__get__(t)
    return None


def layout_facts(t: torch.Tensor) -> dict[str, JSONValue]:
    """shape, dtype, stride, is_contiguous, requires_grad, grad_fn: as torch says, whatever
    a subclass claims (the trace's per-step facts)."""
    with DisableTorchFunction():
        return {
            "shape": list(TensorBase.shape.__get__(t)),
            "dtype": str(TensorBase.dtype.__get__(t)),
            "stride": _stride(t),
            "is_contiguous": _is_contiguous(t) if _stride(t) is not None else None,
            "requires_grad": bool(TensorBase.requires_grad.__get__(t)),
            "grad_fn": grad_fn_name(t),
        }


def _plain(t: torch.Tensor) -> torch.Tensor:
    """A plain `torch.Tensor` over the same data, for reading values (no subclass code)."""
    return t if type(t) is Tensor else TensorBase.as_subclass(t, Tensor)


def describe_tensor(
    t: torch.Tensor, *, with_grad: bool = True, max_values: int = DEFAULT_MAX_VALUES
) -> dict[str, JSONValue]:
    """One tensor's TensorInfo without `name` and `shares_storage_with`."""
    with DisableTorchFunction():
        return _describe(t, with_grad, max_values)


def _describe(t: torch.Tensor, with_grad: bool, max_values: int) -> dict[str, JSONValue]:
    shape = list(TensorBase.shape.__get__(t))
    info: dict[str, JSONValue] = {
        "shape": shape,
        "dtype": str(TensorBase.dtype.__get__(t)),
        "device": str(TensorBase.device.__get__(t)),
        "stride": _stride(t),
        "storage_offset": _storage_offset(t),
        "is_contiguous": _is_contiguous(t),
        "requires_grad": bool(TensorBase.requires_grad.__get__(t)),
        "is_leaf": bool(TensorBase.is_leaf.__get__(t)),
        "grad_fn": grad_fn_name(t),
        "numel": int(TensorBase.numel(t)),
    }
    if TensorBase.layout.__get__(t) != torch.strided:
        info["layout"] = str(TensorBase.layout.__get__(t))
    plain = _plain(t)
    values, truncated = preview_values(plain, max_values)
    info["values"] = values
    info["values_truncated"] = truncated
    info["stats"] = tensor_stats(plain)
    if with_grad:
        grad = readable_grad(t)
        info["grad"] = None if grad is None else _describe(grad, False, max_values)
    return info


def describe_named(
    named: Iterable[tuple[str, torch.Tensor]],
    problems: list[str] | None = None,
    max_values: int = DEFAULT_MAX_VALUES,
) -> list[dict[str, JSONValue]]:
    """TensorInfo for each (name, tensor), with `shares_storage_with` among them.

    A tensor that cannot be described is left out and named in `problems`; the rest stay.
    """
    described: list[tuple[str, torch.Tensor, dict[str, JSONValue]]] = []
    for name, t in named:
        try:
            described.append((name, t, {"name": name, **describe_tensor(t, max_values=max_values)}))
        except Exception as exc:
            if problems is not None:
                problems.append(f"tensor {name}: {type(exc).__name__}: {exc}"[:500])
    named = [(name, t) for name, t, _ in described]
    addresses = [storage_address(t) for _, t in named]
    infos = []
    for i, (_name, _t, info) in enumerate(described):
        mine = addresses[i]
        info["shares_storage_with"] = [
            other for j, (other, _) in enumerate(named) if j != i and mine and addresses[j] == mine
        ]
        infos.append(info)
    return infos


def _stride(t: torch.Tensor) -> list[int] | None:
    try:
        return list(TensorBase.stride(t))
    except (RuntimeError, NotImplementedError):
        return None  # sparse and nested tensors have no strides


def _storage_offset(t: torch.Tensor) -> int | None:
    try:
        return int(TensorBase.storage_offset(t))
    except (RuntimeError, NotImplementedError):
        return None


def _is_contiguous(t: torch.Tensor) -> bool:
    try:
        return bool(TensorBase.is_contiguous(t))
    except (RuntimeError, NotImplementedError):
        return False  # sparse CSR/CSC: "do not have is_contiguous"


def _has_data(t: torch.Tensor) -> bool:
    return t.layout == torch.strided and t.device.type != "meta" and not t.is_quantized


def preview_values(t: torch.Tensor, max_values: int) -> tuple[JSONValue, bool]:
    """The leading block of `t` with at most `max_values` numbers, and whether it was cut.

    Each dimension keeps a prefix; the prefix lengths shrink from the first dimension on,
    so a [1000, 1000] tensor previews as its top-left corner, not as its first row.
    """
    if not _has_data(t):
        return None, Tensor.numel(t) > 0
    with torch.no_grad():
        view = Tensor.detach(t)
        truncated = False
        if view.numel() > max_values:
            truncated = True
            view = view[tuple(slice(0, n) for n in _preview_shape(list(view.shape), max_values))]
        try:
            raw = view.cpu().tolist()
        except (RuntimeError, TypeError):
            return None, True
    return _json_safe(raw), truncated


def _preview_shape(shape: list[int], budget: int) -> list[int]:
    keep = list(shape)
    while math.prod(keep) > budget:
        i = max(range(len(keep)), key=lambda k: keep[k])
        keep[i] = max(1, keep[i] // 2)
    return keep


def _json_safe(value: JSONValue) -> JSONValue:
    """JSON has no NaN, Infinity or complex numbers: spell them as strings."""
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, complex):
        return str(value)
    return value


def tensor_stats(t: torch.Tensor) -> dict[str, JSONValue] | None:
    """min/max/mean over the finite values, and NaN/Inf counts, computed off the graph."""
    numeric = t.dtype.is_floating_point or t.dtype.is_complex
    if not _has_data(t) or not numeric or Tensor.numel(t) == 0:
        return None
    with torch.no_grad():
        data = Tensor.detach(t)
        if data.is_complex():
            data = data.abs()
        data = data.float() if data.itemsize < 4 else data
        nan = int(torch.isnan(data).sum())
        inf = int(torch.isinf(data).sum())
        finite = data[torch.isfinite(data)] if nan or inf else data.reshape(-1)
        if finite.numel() == 0:
            return {"min": None, "max": None, "mean": None, "nan": nan, "inf": inf}
        return {
            "min": float(finite.min()),
            "max": float(finite.max()),
            "mean": float(finite.double().mean()),
            "nan": nan,
            "inf": inf,
        }
