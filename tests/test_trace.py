"""The line tracer, checked against torch itself on snippets run the way the sandbox runs them."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from app.inspect import trace
from app.inspect.trace import SNIPPET_FILENAME, LineTracer
from app.sandbox.runner import fresh_namespace


def run(source: str, **options: Any) -> tuple[LineTracer, dict[str, Any]]:
    """Run a snippet under a tracer as the sandbox does; return the tracer and the namespace."""
    namespace = fresh_namespace()
    code = compile(textwrap.dedent(source), SNIPPET_FILENAME, "exec")
    tracer = LineTracer(**options)
    with tracer:
        exec(code, namespace)
    return tracer, namespace


def changes(tracer: LineTracer, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, TensorLite) for every step that changed `name`, in order."""
    for step in tracer.steps:
        for lite in step["changed"]:
            if lite["name"] == name:
                yield step["line"], lite


def test_transpose_step_shows_the_view_layout() -> None:
    tracer, ns = run(
        """
        x = torch.arange(6.).reshape(2, 3)
        y = x.t()
        """
    )
    [(line, y)] = list(changes(tracer, "y"))
    assert line == 3
    assert y["event"] == "bound"
    assert y["stride"] == list(ns["y"].stride()) == [1, 3]
    assert y["is_contiguous"] is ns["y"].is_contiguous() is False
    assert y["shape"] == [3, 2]
    assert y["dtype"] == "torch.float32"
    assert y["values"] == ns["y"].tolist()


def test_seed_grad_accumulation_shows_the_grad_growing_per_iteration() -> None:
    tracer, ns = run(
        """\
        x = torch.tensor([10., 20., 30., 40.], requires_grad=True)
        for _ in range(3):
            f = (x ** 2 + 20).mean()
            f.backward()
        """
    )
    assert [step["line"] for step in tracer.steps] == [1, 3, 4, 3, 4, 3, 4]
    grads = [lite["grad_values"] for line, lite in changes(tracer, "x") if line == 4]
    assert grads == [[5.0, 10.0, 15.0, 20.0], [10.0, 20.0, 30.0, 40.0], [15.0, 30.0, 45.0, 60.0]]
    assert grads[-1] == ns["x"].grad.tolist()
    at_backward = [lite for line, lite in changes(tracer, "x") if line == 4]
    assert all(lite["event"] == "changed" and not lite["in_place"] for lite in at_backward)
    assert all(lite["grad_shape"] == [4] for lite in at_backward)
    [(_, first)] = [(line, lite) for line, lite in changes(tracer, "x") if line == 1]
    assert first["grad_shape"] is None and first["requires_grad"] is True
    assert [lite["grad_fn"] for line, lite in changes(tracer, "f")] == ["MeanBackward0"] * 3


def test_every_step_changed_something() -> None:
    tracer, _ = run(
        """\
        x = torch.zeros(2)
        for i in range(3):
            print(i)
            n = i * 2
        """
    )
    assert [step["line"] for step in tracer.steps] == [1]
    assert all(step["changed"] for step in tracer.steps)


def test_a_tensor_loop_variable_is_bound_at_the_header_line() -> None:
    tracer, _ = run("for t in torch.ones(2, 3):\n    pass\n")
    assert [(line, lite["event"]) for line, lite in changes(tracer, "t")] == [
        (1, "bound"),
        (1, "bound"),
    ]


def test_in_place_add_is_a_change_of_the_same_tensor() -> None:
    tracer, ns = run(
        """\
        x = torch.ones(3)
        x.add_(1)
        """
    )
    [(line, lite)] = list(changes(tracer, "x"))[1:]
    assert (line, lite["event"], lite["in_place"]) == (2, "changed", True)
    assert lite["values"] == ns["x"].tolist() == [2.0, 2.0, 2.0]
    assert tracer.modified_in_place == [(2, "x")]


def test_writing_through_a_view_changes_both_names() -> None:
    tracer, _ = run(
        """\
        x = torch.zeros(4)
        y = x[:2]
        y.fill_(7)
        """
    )
    assert sorted(name for line, name in tracer.modified_in_place if line == 3) == ["x", "y"]


@pytest.mark.parametrize(
    ("statement", "field", "expected", "in_place"),
    [
        ("x.requires_grad_()", "requires_grad", True, False),
        ("x.data = torch.zeros(5, dtype=torch.float64)", "dtype", "torch.float64", False),
        ("x.unsqueeze_(0)", "shape", [1, 2, 3], True),
        ("x.t_()", "stride", [1, 3], True),
    ],
)
def test_metadata_changes_of_the_same_tensor_are_seen(
    statement: str, field: str, expected: Any, in_place: bool
) -> None:
    tracer, ns = run(f"x = torch.ones(2, 3)\n{statement}\n")
    [(line, lite)] = list(changes(tracer, "x"))[1:]
    assert (line, lite["event"], lite[field]) == (2, "changed", expected)
    assert lite["in_place"] is in_place
    assert lite["shape"] == list(ns["x"].shape)


def test_del_and_rebinding_to_a_non_tensor_are_deletions() -> None:
    tracer, _ = run(
        """\
        x = torch.ones(2)
        y = torch.zeros(2)
        del x
        y = 3
        """
    )
    assert [(line, lite["event"]) for line, lite in changes(tracer, "x")] == [
        (1, "bound"),
        (3, "deleted"),
    ]
    assert [(line, lite["event"]) for line, lite in changes(tracer, "y")] == [
        (2, "bound"),
        (4, "deleted"),
    ]


def test_rebinding_to_another_tensor_is_a_new_binding() -> None:
    tracer, _ = run("x = torch.ones(2)\nx = x * 2\n")
    assert [(line, lite["event"]) for line, lite in changes(tracer, "x")] == [
        (1, "bound"),
        (2, "bound"),
    ]


def test_parameters_bound_at_top_level_are_traced_but_module_parameters_are_not() -> None:
    tracer, _ = run(
        """\
        p = nn.Parameter(torch.ones(2))
        model = nn.Linear(2, 2)
        """
    )
    names = [lite["name"] for step in tracer.steps for lite in step["changed"]]
    assert names == ["p"]


def test_values_are_kept_only_for_small_tensors() -> None:
    tracer, _ = run("small = torch.ones(16)\nlarge = torch.ones(17)\n")
    [(_, small)] = list(changes(tracer, "small"))
    [(_, large)] = list(changes(tracer, "large"))
    assert small["values"] == [1.0] * 16
    assert large["values"] is None
    assert large["shape"] == [17]


def test_steps_are_strict_json_even_with_nan_inf_and_complex_values() -> None:
    tracer, _ = run("a = torch.tensor([0., 1., -1.]) / 0\nc = torch.ones(1, dtype=torch.cfloat)\n")
    json.dumps(tracer.steps, allow_nan=False)  # what the worker does with the report
    [(_, a)] = list(changes(tracer, "a"))
    [(_, c)] = list(changes(tracer, "c"))
    assert a["values"] == ["NaN", "Infinity", "-Infinity"]
    assert c["values"] == [str(complex(1, 0))]


def test_nan_written_behind_autograds_back_is_still_caught() -> None:
    tracer, ns = run(
        """\
        x = torch.ones(2, requires_grad=True)
        e = x.data
        e[0] = float("nan")
        x.sum().backward()
        """
    )
    assert ns["x"].isnan().any()
    assert tracer.first_nonfinite == {"e": 3, "x": 4}
    assert [lite["values"] for line, lite in changes(tracer, "x") if line == 4] == [["NaN", 1.0]]
    json.dumps(tracer.steps, allow_nan=False)


def where(tracer: LineTracer) -> list[tuple[int, str | None, int | None]]:
    return [(step["line"], step.get("frame"), step.get("call")) for step in tracer.steps]


def test_functions_defined_in_the_snippet_are_traced_with_their_frame_and_call() -> None:
    tracer, ns = run(
        """\
        def double(t):
            u = t * 2
            v = u + 0
            return v

        x = torch.ones(2)
        y = double(x)
        z = double(y)
        """
    )
    assert where(tracer) == [
        (6, None, None), (2, "double", 1), (3, "double", 1), (7, None, None),
        (2, "double", 2), (3, "double", 2), (8, None, None),
    ]  # fmt: skip
    inside = tracer.steps[1]["changed"]
    assert [(lite["name"], lite["event"]) for lite in inside] == [("t", "bound"), ("u", "bound")]
    assert tracer.steps[5]["changed"][0]["values"] == [4.0, 4.0]  # the second call's v
    assert ns["z"].tolist() == [4.0, 4.0]
    assert tracer.live == set()  # no frame is kept once it returned


def test_a_training_loop_inside_a_function_shows_each_iteration() -> None:
    tracer, _ = run(
        """\
        X = torch.arange(8.).reshape(4, 2)
        w = torch.zeros(2, requires_grad=True)

        def train():
            for row in X:
                loss = (row * w).sum()
                loss.backward()
            return loss

        final = train()
        """
    )
    rows = [lite["values"] for step in tracer.steps if step.get("frame") == "train"
            for lite in step["changed"] if lite["name"] == "row"]  # fmt: skip
    assert rows == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]
    grads = [lite["grad_values"] for _, lite in changes(tracer, "w") if lite["grad_values"]]
    assert grads[-1] == [12.0, 16.0]  # accumulated over the four backward() calls
    assert tracer.steps[-1]["line"] == 10 and "frame" not in tracer.steps[-1]


def test_comprehensions_and_lambdas_are_not_traced_line_by_line() -> None:
    tracer, ns = run(
        """\
        parts = [torch.ones(1) * i for i in range(3)]
        f = lambda t: t + 1
        y = f(parts[2])
        """
    )
    assert where(tracer) == [(3, None, None)]
    assert ns["y"].item() == 3.0


def test_a_line_past_its_visit_cap_folds_into_the_next_step() -> None:
    tracer, ns = run(
        """\
        x = torch.zeros(1)
        for i in range(300):
            x = x + 1
        y = x * 2
        """,
        max_visits_per_line=10,
    )
    loop = [step for step in tracer.steps if step["line"] == 3]
    assert len(loop) == 10
    after = tracer.steps[-1]
    assert after["line"] == 4 and after["skipped"] > 0
    values = {lite["name"]: lite["values"] for lite in after["changed"]}
    assert values == {"x": [300.0], "y": [600.0]}  # the folded iterations' net effect
    assert tracer.truncated is False
    assert ns["y"].item() == 600.0


def test_recursion_numbers_each_call() -> None:
    tracer, _ = run(
        """\
        def down(t, n):
            s = t * n
            return s if n == 1 else down(s, n - 1)

        r = down(torch.ones(1), 3)
        """
    )
    calls = [step["call"] for step in tracer.steps if step.get("frame") == "down"]
    assert calls == [1, 2, 3]


def test_nan_inside_a_function_is_left_to_the_top_level_names() -> None:
    tracer, _ = run(
        """\
        def bad():
            z = torch.tensor([0.]) / 0
            return z

        out = bad()
        """
    )
    assert tracer.first_nonfinite == {"out": 5}
    inside = [lite for step in tracer.steps if step.get("frame") for lite in step["changed"]]
    assert inside[0]["values"] == ["NaN"]  # still strict JSON
    json.dumps(tracer.steps, allow_nan=False)


def test_an_exception_keeps_the_steps_before_it_and_propagates_unchanged() -> None:
    source = "x = torch.ones(2)\ny = x + 1\nz = x @ torch.ones(3)\n"
    code = compile(source, SNIPPET_FILENAME, "exec")
    with pytest.raises(RuntimeError) as bare:
        exec(code, fresh_namespace())
    tracer = LineTracer()
    with pytest.raises(RuntimeError) as traced, tracer:
        exec(code, fresh_namespace())
    assert str(traced.value) == str(bare.value)
    assert traced.traceback[-1].lineno + 1 == 3  # pytest's line numbers are 0-based
    assert [step["line"] for step in tracer.steps] == [1, 2]
    assert tracer.truncated is False
    assert sys.gettrace() is None


def test_the_last_line_is_recorded_when_an_exception_escapes_it() -> None:
    namespace = fresh_namespace()
    source = "x = torch.ones(2)\nx.mul_(3); y = x @ torch.ones(3)\n"
    tracer = LineTracer()
    with pytest.raises(RuntimeError), tracer:
        exec(compile(source, SNIPPET_FILENAME, "exec"), namespace)
    assert [(line, lite["values"]) for line, lite in changes(tracer, "x")] == [
        (1, [1.0, 1.0]),
        (2, [3.0, 3.0]),
    ]


@pytest.mark.parametrize(
    ("source", "expected_line", "expected_kind"),
    [
        ("x = torch.tensor([1.])\na = torch.tensor([0.]) / 0\nb = a + 1\n", 2, "NaN"),
        ("x = torch.tensor([1.])\na = torch.tensor([1.]) / 0\n", 2, "Inf"),
        ("a = torch.zeros(1000)\nb = a * 2\na[500] = float('nan')\n", 3, "NaN"),
        ("a = torch.zeros(20)\na[3] = float('inf')\na[4] = float('-inf')\n", 2, "Inf"),
    ],
)
def test_first_nonfinite_line(source: str, expected_line: int, expected_kind: str) -> None:
    tracer, ns = run(source)
    assert not bool(torch.isfinite(ns["a"]).all())
    assert tracer.first_nonfinite["a"] == expected_line
    assert tracer.nonfinite_kind["a"] == expected_kind


def test_nan_spreads_to_later_names_at_their_own_lines() -> None:
    tracer, _ = run("a = torch.tensor([0.]) / 0\nb = a + 1\nc = torch.ones(1)\n")
    assert tracer.first_nonfinite == {"a": 1, "b": 2}


def test_a_nan_gradient_is_reported_under_the_grad_name() -> None:
    tracer, ns = run(
        """\
        x = torch.tensor([0., 4.], requires_grad=True)
        y = x.sqrt().sum()
        y.backward()
        """
    )
    assert not bool(torch.isfinite(ns["x"].grad).all())
    assert tracer.first_nonfinite == {"x.grad": 3}


def test_large_finite_values_whose_sum_overflows_are_not_nonfinite() -> None:
    tracer, ns = run("h = torch.full((4,), 1e308, dtype=torch.float64)\n")
    assert bool(torch.isfinite(ns["h"]).all())
    assert tracer.first_nonfinite == {}


def test_max_steps_truncates_and_the_snippet_still_finishes() -> None:
    tracer, ns = run(
        """\
        x = torch.zeros(1)
        for i in range(50):
            x = x + 1
        """,
        max_steps=10,
    )
    assert len(tracer.steps) == 10
    assert tracer.truncated is True
    assert ns["x"].item() == 50.0
    assert sys.gettrace() is None


def test_a_line_event_cap_bounds_pure_python_loops() -> None:
    tracer, ns = run(
        "x = torch.zeros(1)\ntotal = 0\nfor i in range(1000):\n    total += i\n", max_line_events=50
    )
    assert tracer.truncated is True
    assert ns["total"] == sum(range(1000))
    assert len(tracer.steps) == 1


def test_a_call_cap_bounds_call_heavy_code() -> None:
    tracer, ns = run(
        """\
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        x = torch.ones(1)
        y = fib(15)
        z = torch.zeros(1)
        """,
        max_calls=100,
    )
    assert tracer.truncated is True
    assert ns["y"] == 610
    assert [step["line"] for step in tracer.steps] == [3]


def test_the_previous_trace_function_is_restored() -> None:
    def outer(frame: Any, event: str, arg: Any) -> None:
        return None

    sys.settrace(outer)
    try:
        run("x = torch.ones(1)\n")
        assert sys.gettrace() is outer
    finally:
        sys.settrace(None)
    run("x = torch.ones(1)\n")
    assert sys.gettrace() is None


def test_a_tracer_failure_detaches_instead_of_failing_the_snippet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> dict[str, Any]:
        raise ValueError("tracer bug")

    monkeypatch.setattr(trace, "_describe", broken)
    tracer, ns = run("x = torch.ones(1)\ny = x + 1\n")
    assert ns["y"].item() == 2.0
    assert tracer.truncated is True
    assert tracer.failure == "ValueError: tracer bug"
    assert sys.gettrace() is None


def test_code_from_another_file_is_not_traced() -> None:
    namespace = fresh_namespace()
    tracer = LineTracer()
    with tracer:
        exec(compile("x = torch.ones(1)\n", "<other>", "exec"), namespace)
    assert tracer.steps == []
