"""Pitfall warnings: each kind fires on a real snippet and stays quiet on its corrected version."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import torch

from app.inspect.pitfalls import BackwardMonitor, find_warnings
from app.inspect.trace import SNIPPET_FILENAME, LineTracer
from app.sandbox.runner import fresh_namespace


def tensor_infos(namespace: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of API.md's TensorInfo that the warnings read, computed from torch."""
    tensors = {name: v for name, v in namespace.items() if isinstance(v, torch.Tensor)}

    def storage(t: torch.Tensor) -> int:
        return t.untyped_storage().data_ptr()

    def stats(t: torch.Tensor | None) -> dict[str, int] | None:
        if t is None or not t.is_floating_point():
            return None
        return {"nan": int(t.isnan().sum()), "inf": int(t.isinf().sum())}

    return [
        {
            "name": name,
            "shares_storage_with": [
                other
                for other, u in tensors.items()
                if other != name and storage(u) != 0 and storage(u) == storage(t)
            ],
            "stats": stats(t),
            "grad": {"stats": stats(t.grad)} if t.is_leaf and t.grad is not None else None,
        }
        for name, t in tensors.items()
    ]


def warnings_of(source: str, *, trace: bool = True) -> list[dict[str, Any]]:
    """Run a snippet as the sandbox does, with the monitor and (optionally) the tracer."""
    source = textwrap.dedent(source)
    namespace = fresh_namespace()
    tracer = LineTracer() if trace else None
    with BackwardMonitor() as monitor:
        if tracer is None:
            exec(compile(source, SNIPPET_FILENAME, "exec"), namespace)
        else:
            with tracer:
                exec(compile(source, SNIPPET_FILENAME, "exec"), namespace)
    return find_warnings(tracer, monitor, source, tensor_infos(namespace))


def kinds(warnings: list[dict[str, Any]]) -> list[tuple[str, int | None, list[str]]]:
    return [(w["kind"], w["line"], w["names"]) for w in warnings]


CASES = [
    pytest.param(
        "nan",
        """\
        x = torch.tensor([0., 1.])
        y = x / x
        """,
        """\
        x = torch.tensor([0., 1.])
        y = x / (x + 1e-8)
        """,
        ("nan", 2, ["y"]),
        id="nan",
    ),
    pytest.param(
        "grad_accumulated",
        """\
        x = torch.tensor([10., 20., 30., 40.], requires_grad=True)
        for _ in range(3):
            f = (x ** 2 + 20).mean()
            f.backward()
        """,
        """\
        x = torch.tensor([10., 20., 30., 40.], requires_grad=True)
        for _ in range(3):
            f = (x ** 2 + 20).mean()
            if x.grad is not None:
                x.grad.zero_()
            f.backward()
        """,
        ("grad_accumulated", 4, ["x"]),
        id="grad_accumulated-seed",
    ),
    pytest.param(
        "grad_accumulated",
        """\
        def train():
            model = nn.Linear(2, 1)
            for _ in range(2):
                loss = model(torch.ones(4, 2)).pow(2).mean()
                loss.backward()
        train()
        """,
        """\
        def train():
            model = nn.Linear(2, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for _ in range(2):
                loss = model(torch.ones(4, 2)).pow(2).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        train()
        """,
        ("grad_accumulated", 5, ["model.weight", "model.bias"]),
        id="grad_accumulated-module-in-a-function",
    ),
    pytest.param(
        "shared_modified",
        """\
        x1 = torch.tensor([10., 20.], requires_grad=True, dtype=torch.float64)
        x2 = x1.detach()
        x2[0] = 100
        """,
        """\
        x1 = torch.tensor([10., 20.], requires_grad=True, dtype=torch.float64)
        x2 = x1.detach().clone()
        x2[0] = 100
        """,
        ("shared_modified", 3, ["x2", "x1"]),
        id="shared_modified-detach",
    ),
    pytest.param(
        "shared_modified",
        """\
        a = torch.zeros(4)
        b = a.view(2, 2)
        a.add_(1)
        """,
        """\
        a = torch.zeros(4)
        b = a.clone().view(2, 2)
        a.add_(1)
        """,
        ("shared_modified", 3, ["a", "b"]),
        id="shared_modified-view",
    ),
    pytest.param(
        "data_instead_of_detach",
        """\
        x = torch.ones(3, requires_grad=True)
        e = x.data
        """,
        """\
        x = torch.ones(3, requires_grad=True)
        e = x.detach()
        """,
        ("data_instead_of_detach", 2, ["x"]),
        id="data_instead_of_detach",
    ),
]


@pytest.mark.parametrize(("kind", "bad", "fixed", "expected"), CASES)
def test_fires_on_the_pitfall_and_not_on_its_fix(
    kind: str, bad: str, fixed: str, expected: tuple[str, int, list[str]]
) -> None:
    assert expected in kinds(warnings_of(bad))
    assert kind not in [w["kind"] for w in warnings_of(fixed)]


def test_grad_accumulated_message_is_precise() -> None:
    [warning] = warnings_of(
        """\
        x = torch.tensor([10., 20., 30., 40.], requires_grad=True)
        for _ in range(3):
            f = (x ** 2 + 20).mean()
            f.backward()
        """
    )
    assert warning["message"].startswith("x.grad accumulated over 3 backward() calls (line 4)")
    assert "x.grad.zero_()" in warning["message"]
    assert "optimizer.zero_grad()" in warning["message"]
    assert "3 次 backward()" in warning["message_zh"]


def test_torch_autograd_backward_called_directly_is_seen_too() -> None:
    warnings = warnings_of(
        """\
        w = torch.ones(2, requires_grad=True)
        torch.autograd.backward((w * 3).sum())
        torch.autograd.backward((w * 3).sum())
        """
    )
    assert kinds(warnings) == [("grad_accumulated", 3, ["w"])]


def test_the_monitor_restores_backward_and_leaves_errors_to_torch() -> None:
    original = torch.autograd.backward
    with BackwardMonitor() as monitor:
        assert torch.autograd.backward is not original
        with pytest.raises(RuntimeError, match="does not require grad"):
            torch.ones(1).backward()
    assert torch.autograd.backward is original
    assert monitor.events == [{"line": None, "leaves": 0, "accumulated": []}]


def test_a_view_bound_after_the_write_is_not_blamed() -> None:
    warnings = warnings_of(
        """\
        x = torch.ones(4)
        y = torch.zeros(2)
        x.add_(1)
        y = x[:2]
        """
    )
    assert warnings == []


def test_nan_message_names_the_line_and_the_kind() -> None:
    [warning] = warnings_of("a = torch.tensor([1.]) / 0\n")
    assert warning["message"].startswith("a first held Inf at line 1")
    assert "第 1 行" in warning["message_zh"]


def test_without_a_trace_nan_is_found_in_the_final_stats_without_a_line() -> None:
    warnings = warnings_of("a = torch.tensor([0.]) / 0\n", trace=False)
    assert kinds(warnings) == [("nan", None, ["a"])]


def test_data_reads_are_grouped_per_expression() -> None:
    warnings = warnings_of(
        """\
        x = torch.ones(2, requires_grad=True)
        a = x.data
        b = x.data * 2
        x.data = torch.zeros(2)
        print(x.data)
        """
    )
    assert kinds(warnings) == [("data_instead_of_detach", 2, ["x"])]
    assert "lines 2, 3" in warnings[0]["message"]
    assert "x.detach()" in warnings[0]["message"]


def test_a_grad_data_read_is_told_to_use_the_grad_directly() -> None:
    warnings = warnings_of(
        """\
        x = torch.ones(2, requires_grad=True)
        (x * 2).sum().backward()
        x.grad.data.zero_()
        """
    )
    assert kinds(warnings) == [("data_instead_of_detach", 3, ["x.grad"])]
    assert "x.grad.zero_()" in warnings[0]["message"]


def test_a_correct_gradient_descent_loop_has_no_warnings() -> None:
    warnings = warnings_of(
        """\
        X = torch.randn(32, 3)
        y = X @ torch.tensor([1., -2., 3.])
        w = torch.zeros(3, requires_grad=True)
        for step in range(20):
            loss = ((X @ w - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
        """
    )
    assert warnings == []


def test_warnings_are_ordered_by_line() -> None:
    warnings = warnings_of(
        """\
        x = torch.ones(2, requires_grad=True)
        e = x.data
        a = torch.tensor([0.]) / 0
        """
    )
    assert [(w["kind"], w["line"]) for w in warnings] == [
        ("data_instead_of_detach", 2),
        ("nan", 3),
    ]
    assert all(w["message"] and w["message_zh"] for w in warnings)


def test_backward_with_inputs_only_counts_those_inputs() -> None:
    warnings = warnings_of(
        """\
        a = torch.ones(2, requires_grad=True)
        b = torch.ones(2, requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        (a * b).sum().backward(inputs=[a])
        """
    )
    assert kinds(warnings) == [("grad_accumulated", 4, ["a"])]
