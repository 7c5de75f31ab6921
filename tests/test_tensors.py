"""TensorInfo facts equal what torch itself says, for every layout a lesson can produce."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from app.inspect.tensors import (
    describe_named,
    describe_tensor,
    iter_tensors,
    preview_values,
    storage_address,
    tensor_stats,
)

base = torch.arange(24.0).reshape(4, 6)
leaf = torch.ones(2, 3, requires_grad=True)
LAYOUTS = {
    "contiguous": lambda: torch.arange(6.0).reshape(2, 3),
    "transposed": lambda: base.t(),
    "permuted": lambda: torch.zeros(2, 3, 4, 5).permute(0, 2, 3, 1),
    "expanded": lambda: torch.ones(3, 1).expand(3, 4),
    "sliced_with_step": lambda: base[1:, ::2],
    "as_strided": lambda: torch.as_strided(base, (3, 3), (2, 1), 1),
    "unsqueezed": lambda: base.unsqueeze(1),
    "from_numpy": lambda: torch.from_numpy(np.ones((2, 2))),
    "detached": lambda: leaf.detach(),
    "data": lambda: leaf.data,
    "non_leaf": lambda: leaf * 2,
    "leaf": lambda: leaf,
    "parameter": lambda: torch.nn.Parameter(torch.zeros(3)),
    "zero_dim": lambda: torch.tensor(3.5),
    "empty": lambda: torch.empty(0, 3),
    "int64": lambda: torch.arange(5),
    "bool": lambda: torch.tensor([True, False]),
    "float16": lambda: torch.ones(2, dtype=torch.float16),
    "complex": lambda: torch.tensor([1 + 2j]),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_field_equals_torch(layout: str) -> None:
    t = LAYOUTS[layout]()
    info = describe_tensor(t)
    assert info["shape"] == list(t.shape)
    assert info["dtype"] == str(t.dtype)
    assert info["device"] == str(t.device)
    assert info["stride"] == list(t.stride())
    assert info["storage_offset"] == t.storage_offset()
    assert info["is_contiguous"] is t.is_contiguous()
    assert info["requires_grad"] is t.requires_grad
    assert info["is_leaf"] is t.is_leaf
    assert info["grad_fn"] == (type(t.grad_fn).__name__ if t.grad_fn is not None else None)
    assert info["numel"] == t.numel()
    json.dumps(info, allow_nan=False)  # the report must be strict JSON


def test_values_are_the_tensor_values_for_small_tensors() -> None:
    t = base.t()
    assert describe_tensor(t)["values"] == t.tolist()
    assert describe_tensor(t)["values_truncated"] is False


def test_a_million_elements_preview_stays_small() -> None:
    big = torch.randn(1000, 1000)
    info = describe_tensor(big)
    assert info["values_truncated"] is True
    assert len(json.dumps(info)) < 20_000
    corner = torch.tensor(info["values"])
    assert torch.equal(corner, big[: corner.shape[0], : corner.shape[1]])
    assert corner.shape[0] > 1 and corner.shape[1] > 1  # a corner, not a first row


def test_preview_budget_is_respected_for_any_rank() -> None:
    values, truncated = preview_values(torch.zeros(7, 9, 11, 13), 100)
    assert truncated
    assert torch.tensor(values).numel() <= 100


def test_nan_and_inf_are_counted_and_spelled_as_strings() -> None:
    t = torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), 3.0])
    info = describe_tensor(t)
    assert info["values"] == [1.0, "NaN", "Infinity", "-Infinity", 3.0]
    assert info["stats"] == {"min": 1.0, "max": 3.0, "mean": 2.0, "nan": 1, "inf": 2}
    json.dumps(info, allow_nan=False)


def test_stats_do_not_touch_autograd() -> None:
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    stats = tensor_stats(y)
    assert stats is not None and stats["mean"] == 2.0
    assert y.grad_fn is not None and type(y.grad_fn).__name__ == "MulBackward0"
    assert x.grad is None


def test_integer_tensors_have_no_stats_but_have_values() -> None:
    info = describe_tensor(torch.arange(4))
    assert info["stats"] is None
    assert info["values"] == [0, 1, 2, 3]


def test_grad_is_described_without_name_and_sharing() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    grad = describe_tensor(x)["grad"]
    assert grad["shape"] == [2] and grad["values"] == [2.0, 4.0]
    assert "name" not in grad and "shares_storage_with" not in grad and "grad" not in grad


def test_non_leaf_grad_is_null_without_a_warning() -> None:
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    assert describe_tensor(y)["grad"] is None  # pytest turns torch's warning into an error


def test_shares_storage_with_views_detach_data_and_numpy() -> None:
    n = np.zeros(4)
    x = torch.ones(2, 3, requires_grad=True)
    named = [
        ("x", x),
        ("v", x.view(-1)),
        ("d", x.detach()),
        ("dd", x.data),
        ("c", x.clone()),
        ("n", torch.from_numpy(n)),
        ("m", torch.tensor(n)),
    ]
    by_name = {info["name"]: info for info in describe_named(named)}
    assert sorted(by_name["x"]["shares_storage_with"]) == ["d", "dd", "v"]
    assert by_name["c"]["shares_storage_with"] == []
    assert by_name["n"]["shares_storage_with"] == []
    assert by_name["m"]["shares_storage_with"] == []


def test_empty_storages_never_share() -> None:
    a, b = torch.empty(0), torch.empty(0)
    assert storage_address(a) == 0
    assert [i["shares_storage_with"] for i in describe_named([("a", a), ("b", b)])] == [[], []]


def test_meta_tensors_have_no_values() -> None:
    info = describe_tensor(torch.empty(3, 3, device="meta"))
    assert info["values"] is None and info["stats"] is None
    assert info["device"] == "meta"


def test_namespace_order_is_first_binding_and_skips_non_tensors() -> None:
    ns = {"torch": torch, "b": torch.ones(1), "k": 3, "a": torch.zeros(1), "_p": torch.ones(1)}
    assert [name for name, _ in iter_tensors(ns)] == ["b", "a", "_p"]


def test_a_snippet_shadowing_tensor_methods_does_not_blind_the_inspector() -> None:
    x = torch.ones(2, 3)
    x.detach = torch.zeros(1)  # seed 002's `x.detach = ...` lesson
    x.stride = lambda: "lies"
    x.numel = None
    info = describe_tensor(x)
    assert info["stride"] == [3, 1] and info["numel"] == 6
    assert info["values"] == [[1.0] * 3] * 2 and info["stats"]["mean"] == 1.0
