"""Facts about the snippet's `nn.Module` variables, as the JSON `ModuleInfo` of API.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from app.inspect.tensors import describe_tensor
from app.sandbox.limits import RunLimits


def iter_modules(namespace: Mapping[str, object]) -> list[tuple[str, nn.Module]]:
    return [(name, value) for name, value in namespace.items() if isinstance(value, nn.Module)]


def describe_module(
    name: str, module: nn.Module, limits: RunLimits | None = None
) -> dict[str, Any]:
    """ModuleInfo: parameters and buffers under their qualified names (`model.0.weight`)."""
    limits = limits or RunLimits()
    return {
        "name": name,
        "type": type(module).__name__,
        "training": bool(module.training),
        "parameters": _described(name, module.named_parameters(), limits),
        "buffers": _described(name, module.named_buffers(), limits),
    }


def named_parameters(modules: list[tuple[str, nn.Module]]) -> list[tuple[str, torch.Tensor]]:
    """(qualified name, parameter) of every listed module, used to name autograd leaves."""
    return [
        (f"{name}.{qualified}", p)
        for name, module in modules
        for qualified, p in module.named_parameters()
    ]


def _described(prefix: str, named, limits: RunLimits) -> list[dict[str, Any]]:
    out = []
    for qualified, tensor in named:
        if len(out) == limits.max_module_tensors:
            break
        out.append(
            {
                "name": f"{prefix}.{qualified}",
                **describe_tensor(tensor, max_values=limits.max_values),
            }
        )
    return out
