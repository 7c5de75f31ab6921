"""The operands of a failing line: every tensor sub-expression, checked against torch."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from app.inspect.operands import MAX_NUMEL, failing_operands


def namespace(**tensors: Any) -> dict[str, Any]:
    return {"torch": torch, "nn": nn, "F": F, "np": np, **tensors}


def by_expr(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["expr"]: r for r in records}


def test_mismatched_matmul_reports_operands_and_the_operator_that_raised() -> None:
    ns = namespace(W=torch.randn(4, 3), x=torch.randn(5, 2), b=torch.randn(4))
    records = failing_operands("h = W @ x.T + b", ns)
    found = by_expr(records)
    assert found["W"]["shape"] == [4, 3] and found["W"]["stride"] == [3, 1]
    assert found["x.T"]["shape"] == [2, 5] and found["x.T"]["stride"] == [1, 2]
    assert found["x.T"]["is_contiguous"] is False
    raised = [r for r in records if r["raised"]]
    assert len(raised) == 1 and raised[0] is records[-1]
    assert raised[0]["expr"] == "W @ x.T" and raised[0]["op"] == "@"
    assert raised[0]["inputs"] == ["W", "x.T"]
    with pytest.raises(RuntimeError) as real:
        eval("W @ x.T", ns)
    assert raised[0]["error"] == str(real.value)
    assert "W @ x.T + b" not in found, "nothing above the failing operator is evaluated"


LAYOUTS = {
    "contiguous": lambda: torch.randn(4, 6),
    "transposed": lambda: torch.randn(6, 4).t(),
    "expanded": lambda: torch.randn(4, 1).expand(4, 6),
    "sliced with steps": lambda: torch.randn(8, 12)[::2, ::2],
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
def test_a_correct_line_reports_every_subexpression_as_torch_does(layout: Any) -> None:
    ns = namespace(a=layout(), w=torch.randn(6, 3, requires_grad=True), bias=torch.randn(3))
    line = "y = F.relu(a @ w + bias).sum(dim=0)[1:] * 2.0"
    records = failing_operands(line, ns, max_items=32)
    assert [r["expr"] for r in records] == [
        "a",
        "w",
        "a @ w",
        "bias",
        "a @ w + bias",
        "F.relu(a @ w + bias)",
        "F.relu(a @ w + bias).sum(dim=0)",
        "F.relu(a @ w + bias).sum(dim=0)[1:]",
        "F.relu(a @ w + bias).sum(dim=0)[1:] * 2.0",
    ]
    for record in records:
        truth = eval(record["expr"], ns)
        assert record["raised"] is False
        assert record["shape"] == list(truth.shape)
        assert record["stride"] == list(truth.stride())
        assert record["dtype"] == str(truth.dtype)
        assert record["is_contiguous"] == truth.is_contiguous()
        assert record["requires_grad"] == truth.requires_grad


def test_user_functions_are_never_called() -> None:
    calls: list[int] = []

    def double(t: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return t * 2

    ns = namespace(double=double, x=torch.randn(3, 2), W=torch.randn(4, 4))
    records = failing_operands("y = double(x) @ W", ns)
    assert calls == []
    assert [r["expr"] for r in records] == ["x", "W"], "its operands are still described"


class Spy:
    """A user object whose every hook counts calls: none may run."""

    def __init__(self) -> None:
        self.calls = 0

    @property
    def weight(self) -> torch.Tensor:
        self.calls += 1
        return torch.ones(2)

    def __add__(self, other: Any) -> Any:
        self.calls += 1
        return other

    __radd__ = __add__

    def __getitem__(self, key: Any) -> Any:
        self.calls += 1
        return torch.ones(2)


@pytest.mark.parametrize(
    "line", ["y = spy.weight @ x", "y = spy + x", "y = x + spy", "y = spy[0] * x", "y = spy(x)"]
)
def test_user_objects_run_no_code(line: str) -> None:
    spy = Spy()
    records = failing_operands(line, namespace(spy=spy, x=torch.randn(2)))
    assert spy.calls == 0
    assert not any(r["raised"] for r in records)


@pytest.mark.parametrize(
    "line",
    [
        "x.add_(1)",
        "x.mul_(2).sum()",
        "torch.nn.init.zeros_(x)",
        "loss.backward()",
        "opt.step()",
        "print(x)",
        "x += 1",
        "x[0] = 5.0",
        "y = torch.randn(3)",
    ],
)
def test_side_effects_are_not_evaluated(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    x = torch.ones(3, requires_grad=False)
    w = torch.ones(3, requires_grad=True)
    loss = (w * 2).sum()
    opt = torch.optim.SGD([w], lr=1.0)
    rng = torch.get_rng_state()
    before = (x.clone(), x._version, w.clone())
    failing_operands(line, namespace(x=x, w=w, loss=loss, opt=opt))
    assert torch.equal(x, before[0]) and x._version == before[1]
    assert w.grad is None and torch.equal(w.detach(), before[2])
    assert torch.equal(torch.get_rng_state(), rng)
    assert capsys.readouterr().out == ""


def test_stateless_layers_are_evaluated_but_not_training_statistics() -> None:
    fc = nn.Linear(4, 2)
    bn = nn.BatchNorm1d(4)
    ns = namespace(fc=fc, bn=bn, x=torch.randn(3, 5))
    records = failing_operands("out = fc(x)", ns)
    assert records[-1]["raised"] and records[-1]["op"] == "fc"
    assert "mat1 and mat2 shapes cannot be multiplied" in records[-1]["error"]
    failing_operands("out = bn(torch.randn(3, 4))", ns)
    assert bn.num_batches_tracked.item() == 0 and torch.equal(bn.running_mean, torch.zeros(4))


def test_locals_shadow_globals_inside_a_function_frame() -> None:
    ns = namespace(x=torch.randn(2, 2))
    records = failing_operands("return x.view(-1)", ns, {"x": torch.randn(3, 4).t()})
    assert records[0]["shape"] == [4, 3]
    assert records[-1]["raised"] and records[-1]["op"] == "view"


def test_statement_headers_and_joined_multiline_statements_are_read() -> None:
    ns = namespace(x=torch.randn(3), m=torch.randn(2, 3))
    assert [r["expr"] for r in failing_operands("if x > 0:", ns)] == ["x", "x > 0"]
    joined = "out = torch.cat([m,     m.T],     dim=0)"
    records = failing_operands(joined, ns)
    assert records[-1]["raised"] and records[-1]["inputs"] == ["m", "m.T"]


def test_the_number_of_items_is_bounded() -> None:
    ns = namespace(x=torch.randn(2))
    line = "y = " + " + ".join(f"x * {i}" for i in range(40))
    assert len(failing_operands(line, ns, max_items=5)) == 5


def test_huge_tensors_are_described_but_not_computed_on() -> None:
    big = torch.zeros(MAX_NUMEL + 1)
    records = failing_operands("y = big @ big", namespace(big=big))
    assert [r["expr"] for r in records] == ["big"]


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "x = (",
        "def f(:",
        "else:",
        "}{][",
        "x = " + "(" * 300 + "1" + ")" * 300,
        "y = " + "x." * 5000 + "T",
        "lambda: x",
        "import os",
        "\x00\x01",
    ],
)
def test_garbage_returns_an_empty_list(line: str) -> None:
    assert failing_operands(line, namespace(x=torch.randn(2))) == []


def test_it_never_raises_on_hostile_input() -> None:
    assert failing_operands(None, {}) == []  # type: ignore[arg-type]
    assert failing_operands("y = x @ x", None) == []  # type: ignore[arg-type]
    records = failing_operands("y = undefined @ x", namespace(x=torch.randn(2)))
    assert [r["expr"] for r in records] == ["x"]


@pytest.mark.parametrize(
    "line",
    ["d = u[:, None] - u[None, :]", "z = torch.zeros(100_000, 100_000)", "r = u.repeat(5000)"],
)
def test_results_too_large_to_compute_are_left_unknown(line: str) -> None:
    """A shapes-only trial on meta copies keeps an outer product from filling the memory."""
    records = failing_operands(line, namespace(u=torch.randn(3000)))
    assert not any(r["raised"] for r in records)
    assert all(torch.Size(r["shape"]).numel() <= 3000 for r in records)


def test_an_attribute_that_raises_is_the_failing_operator() -> None:
    records = failing_operands("y = v.mT @ v", namespace(v=torch.randn(3)))
    assert records[-1]["raised"] and records[-1]["op"] == ".mT"
    assert records[-1]["inputs"] == ["v"]


def test_arithmetic_on_plain_numbers_is_bounded() -> None:
    ns = namespace(x=torch.randn(6))
    assert failing_operands("y = x.view(2 * 3)", ns)[-1]["shape"] == [6]
    started = time.perf_counter()
    records = failing_operands("y = x.view(10 ** 10 ** 9)", ns)
    assert time.perf_counter() - started < 1.0
    assert [r["expr"] for r in records] == ["x"]


def test_the_items_kept_are_those_nearest_the_failure() -> None:
    ns = namespace(W=torch.randn(4, 3), x=torch.randn(5, 2), b=torch.randn(4))
    records = failing_operands("h = W @ x.T + b", ns, max_items=2)
    assert [r["expr"] for r in records] == ["x.T", "W @ x.T"]
    assert records[-1]["raised"]


def test_layers_reached_through_containers_are_evaluated() -> None:
    layers = nn.ModuleList([nn.Linear(3, 2)])
    records = failing_operands("out = layers[0](x)", namespace(layers=layers, x=torch.randn(4, 5)))
    assert records[-1]["raised"] and records[-1]["inputs"] == ["x"]
