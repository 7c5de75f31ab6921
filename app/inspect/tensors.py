"""Facts about live tensors, as the JSON `TensorInfo` of ../shared/API.md.

Pure: takes torch objects, returns plain JSON-ready dicts. Every fact comes from torch
itself (`t.stride()`, `t.is_contiguous()`, ...), never recomputed, so the report cannot
disagree with what the student would see in a REPL. Methods are called on the class
(`Tensor.stride(t)`): a snippet may shadow them on its tensor (`x.detach = ...`).
Values are previewed, never dumped: a 10^6-element tensor yields at most `max_values`
numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import torch
from torch import Tensor

JSONValue = Any
DEFAULT_MAX_VALUES = 256


def iter_tensors(namespace: Mapping[str, object]) -> list[tuple[str, torch.Tensor]]:
    """The namespace's tensor variables in the order their names were first bound.

    A dict keeps insertion order and `del` removes the key, so rebinding after a `del`
    counts from the new binding, as API.md asks.
    """
    return [(name, value) for name, value in namespace.items() if isinstance(value, torch.Tensor)]


def storage_address(t: torch.Tensor) -> int:
    """The address of `t`'s storage, or 0 where it has none (meta, sparse, empty)."""
    try:
        return int(Tensor.untyped_storage(t).data_ptr())
    except (RuntimeError, NotImplementedError, TypeError):
        return 0


def grad_fn_name(t: torch.Tensor) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def readable_grad(t: torch.Tensor) -> torch.Tensor | None:
    """`t.grad` without torch's warning for non-leaves that do not retain their grad."""
    if t.is_leaf or t.retains_grad:
        return t.grad
    return None


def describe_tensor(
    t: torch.Tensor, *, with_grad: bool = True, max_values: int = DEFAULT_MAX_VALUES
) -> dict[str, JSONValue]:
    """One tensor's TensorInfo without `name` and `shares_storage_with`."""
    info: dict[str, JSONValue] = {
        "shape": list(t.shape),
        "dtype": str(t.dtype),
        "device": str(t.device),
        "stride": _stride(t),
        "storage_offset": _storage_offset(t),
        "is_contiguous": bool(Tensor.is_contiguous(t)),
        "requires_grad": bool(t.requires_grad),
        "is_leaf": bool(t.is_leaf),
        "grad_fn": grad_fn_name(t),
        "numel": int(Tensor.numel(t)),
    }
    values, truncated = preview_values(t, max_values)
    info["values"] = values
    info["values_truncated"] = truncated
    info["stats"] = tensor_stats(t)
    if with_grad:
        grad = readable_grad(t)
        info["grad"] = None if grad is None else describe_tensor(
            grad, with_grad=False, max_values=max_values
        )
    return info


def describe_named(
    named: Iterable[tuple[str, torch.Tensor]], *, max_values: int = DEFAULT_MAX_VALUES
) -> list[dict[str, JSONValue]]:
    """TensorInfo for each (name, tensor), with `shares_storage_with` among them."""
    named = list(named)
    addresses = [storage_address(t) for _, t in named]
    infos = []
    for i, (name, t) in enumerate(named):
        info = {"name": name, **describe_tensor(t, max_values=max_values)}
        mine = addresses[i]
        info["shares_storage_with"] = [
            other for j, (other, _) in enumerate(named) if j != i and mine and addresses[j] == mine
        ]
        infos.append(info)
    return infos


def _stride(t: torch.Tensor) -> list[int] | None:
    try:
        return list(Tensor.stride(t))
    except (RuntimeError, NotImplementedError):
        return None  # sparse and nested tensors have no strides


def _storage_offset(t: torch.Tensor) -> int | None:
    try:
        return int(Tensor.storage_offset(t))
    except (RuntimeError, NotImplementedError):
        return None


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
