"""Facts about the snippet's `nn.Module` variables, as the JSON `ModuleInfo` of API.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from app.inspect.tensors import DEFAULT_MAX_VALUES, describe_tensor

MAX_MODULE_TENSORS = 200


def iter_modules(namespace: Mapping[str, object]) -> list[tuple[str, nn.Module]]:
    return [(name, value) for name, value in namespace.items() if isinstance(value, nn.Module)]


def describe_module(
    name: str, module: nn.Module, *, max_values: int = DEFAULT_MAX_VALUES
) -> dict[str, Any]:
    """ModuleInfo: parameters and buffers under their qualified names (`model.0.weight`)."""
    return {
        "name": name,
        "type": type(module).__name__,
        "training": bool(module.training),
        "parameters": _described(name, module.named_parameters(), max_values),
        "buffers": _described(name, module.named_buffers(), max_values),
    }


def named_parameters(modules: list[tuple[str, nn.Module]]) -> list[tuple[str, torch.Tensor]]:
    """(qualified name, parameter) of every listed module, used to name autograd leaves."""
    return [
        (f"{name}.{qualified}", p)
        for name, module in modules
        for qualified, p in module.named_parameters()
    ]


def _described(prefix: str, named, max_values: int) -> list[dict[str, Any]]:
    out = []
    for qualified, tensor in named:
        if len(out) == MAX_MODULE_TENSORS:
            break
        out.append(
            {"name": f"{prefix}.{qualified}", **describe_tensor(tensor, max_values=max_values)}
        )
    return out
