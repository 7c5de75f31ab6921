"""Checks of one fact each on a lesson's report: what tests/test_lesson_claims.py asserts."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from lesson_runs import Report, module, tensors


@dataclass(frozen=True)
class Claim:
    says: str
    check: Callable[[Report], object]


def as_tensor(values: object) -> torch.Tensor:
    def number(value: Any) -> Any:
        if isinstance(value, list):
            return [number(item) for item in value]
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)

    return torch.tensor(number(values), dtype=torch.float64)


def same(found: object, expected: object) -> bool:
    if isinstance(expected, float) or (
        isinstance(expected, list) and any(isinstance(v, float) for v in _flat(expected))
    ):
        a, b = as_tensor(found), as_tensor(expected)
        return a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-4, equal_nan=True)
    return found == expected


def _flat(values: list[Any]) -> list[Any]:
    return [leaf for item in values for leaf in (_flat(item) if isinstance(item, list) else [item])]


def lookup(report: Report, path: str) -> Any:
    name, *keys = path.split(".")
    found: Any = tensors(report)[name]
    for key in keys:
        found = found[key]
    return found


def fact(path: str, expected: object) -> Claim:
    def check(report: Report) -> None:
        found = lookup(report, path)
        assert same(found, expected), f"{path} is {found!r}, not {expected!r}"

    return Claim(f"{path} == {expected!r}"[:60], check)


def shares(name: str, *others: str) -> Claim:
    def check(report: Report) -> None:
        assert set(lookup(report, f"{name}.shares_storage_with")) == set(others)

    return Claim(f"{name} shares storage with {sorted(others)}", check)


def out(text: str) -> Claim:
    def check(report: Report) -> None:
        assert text in report["stdout"], report["stdout"]

    return Claim(f"prints {text!r}"[:60], check)


def err(text: str) -> Claim:
    def check(report: Report) -> None:
        assert text in report["stderr"], report["stderr"]

    return Claim(f"warns {text!r}"[:60], check)


def flags(kind: str, present: bool = True) -> Claim:
    def check(report: Report) -> None:
        kinds = {warning["kind"] for warning in report["warnings"]}
        assert (kind in kinds) == present, kinds

    return Claim(f"playground {'flags' if present else 'does not flag'} {kind}", check)


def raises(text: str) -> Claim:
    def check(report: Report) -> None:
        assert report["error"] is not None and text in report["error"]["message"]

    return Claim(f"raises {text!r}"[:60], check)


def param(path: str, expected: object) -> Claim:
    """`model.weight.values`: a field of a module's parameter (or buffer), by qualified name."""

    def check(report: Report) -> None:
        owner = path.split(".")[0]
        info = module(report, owner)
        entries = {entry["name"]: entry for entry in info["parameters"] + info["buffers"]}
        name, field = path.rsplit(".", 1)
        if field == "grad":
            found: Any = entries[name]["grad"]
            assert (found is not None) == expected, found
            return
        found = entries[name][field]
        assert same(found, expected), f"{path} is {found!r}"

    return Claim(f"{path} == {expected!r}"[:60], check)


def holds(says: str, check: Callable[[Report], object]) -> Claim:
    def run(report: Report) -> None:
        assert check(report), says

    return Claim(says, run)


def values(report: Report, name: str) -> torch.Tensor:
    return as_tensor(lookup(report, f"{name}.values"))


def grad(report: Report, name: str) -> torch.Tensor:
    return as_tensor(lookup(report, f"{name}.grad.values"))


def stat(path: str, check: Callable[[float], bool], says: str) -> Claim:
    return holds(says, lambda report: check(lookup(report, path)))
