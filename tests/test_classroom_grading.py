"""Grading, check kind by check kind, on values and reports built here: what passes, what
fails, what the detail says (and never says), and that a grade section a run forged or
garbled is refused like any report that cannot be true.

The child's side (app/sandbox/grade.py) runs in this process on real torch objects; the
server's side (app/classroom/values.py, grading.py) on what it would send.
"""

from __future__ import annotations

import base64
import copy
import json
import math
from typing import Any

import numpy as np
import pytest
import torch

from app.classroom.grading import (
    SEED_POOL,
    RunValues,
    draw,
    grade,
    grade_spec,
    read_run,
)
from app.classroom.models import CHECKS
from app.classroom.values import (
    WIRE_LAYOUTS,
    Placeholder,
    Scalar,
    TensorValue,
    ValueProblem,
    compare,
    decode_grade,
)
from app.sandbox import grade as child
from app.sandbox.limits import GRADE_MAX_NUMBERS
from app.sandbox.runner import fresh_namespace, seed_everything
from app.schemas import RunResponse

KEY = bytes(range(32))


def captured(namespace: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """What a run of `namespace` would send for `spec` (the child's own code)."""
    return json.loads(json.dumps(child.grade_here(
        spec, namespace, seed=seed_everything, fresh_namespace=fresh_namespace,
        limit_of=lambda exc: None,
    ), allow_nan=False))  # fmt: skip


def report(**changes: Any) -> RunResponse:
    base: dict[str, Any] = {
        "ok": True, "stdout": "", "stderr": "", "truncated": False, "duration_ms": 1.0,
        "tensors": [], "modules": [], "graph": {"nodes": [], "edges": []}, "figures": [],
        "steps": [], "warnings": [], "error": None,
    }  # fmt: skip
    base.update(changes)
    return RunResponse.model_validate(base)


def tensor_info(name: str, **facts: Any) -> dict[str, Any]:
    info = {
        "name": name, "shape": [2, 3], "dtype": "torch.float32", "device": "cpu",
        "stride": [3, 1], "storage_offset": 0, "is_contiguous": True, "requires_grad": False,
        "is_leaf": True, "grad_fn": None, "numel": 6, "shares_storage_with": [], "grad": None,
    }  # fmt: skip
    info.update(facts)
    return info


def error(kind: str = "RuntimeError", title: str | None = None) -> dict[str, Any]:
    explanation = None if title is None else {"title": title, "why": "w", "fix": "f"}
    return {"type": kind, "message": "it broke", "line": 2, "traceback": "",
            "explanation": explanation, "operands": []}  # fmt: skip


def checks(*raw: dict[str, Any]) -> list:
    return CHECKS.validate_python(list(raw))


def verdicts(raw_checks: list[dict[str, Any]], found: RunResponse, namespace=None,
             reference_namespace=None) -> list[tuple[bool, str]]:  # fmt: skip
    """Grade a report (and the values of `namespace`) against the reference's namespace."""
    parsed = checks(*raw_checks)
    seeds = draw(KEY, 3, parsed)
    spec = grade_spec(parsed, seeds)
    if spec is not None and namespace is not None and found.grade is None:
        found.grade = captured(namespace, spec)
    expected = None
    if spec is not None and reference_namespace is not None:
        expected = decode_grade(captured(reference_namespace, spec), spec["capture"],
                                [len(c["seeds"]) for c in spec["calls"]])  # fmt: skip
    results = grade(parsed, read_run(found, parsed, seeds), expected)
    return [(r.passed, r.details["en"]) for r in results]


# ---- no_error and raises --------------------------------------------------------------------


def test_no_error_passes_a_clean_run_and_names_the_error_of_one_that_raised() -> None:
    assert verdicts([{"kind": "no_error"}], report()) == [(True, "Ran without an error.")]
    [(passed, detail)] = verdicts([{"kind": "no_error"}], report(ok=False, error=error()))
    assert not passed and detail == "Your code raised RuntimeError at line 2: it broke"


@pytest.mark.parametrize(
    ("raised", "passes", "says"),
    [
        (None, False, "Expected your code to raise TypeError; it ran without an error."),
        ("TypeError", True, "Raised TypeError, as expected."),
        ("RuntimeError", False, "Expected your code to raise TypeError; it raised RuntimeError"),
    ],
)
def test_raises_wants_exactly_that_type(raised: str | None, passes: bool, says: str) -> None:
    found = report() if raised is None else report(ok=False, error=error(raised))
    [(passed, detail)] = verdicts([{"kind": "raises", "type": "TypeError"}], found)
    assert passed is passes and detail.startswith(says)


# ---- tensor facts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "facts", "passes", "says"),
    [
        ({"shape": [2, 3], "dtype": "float32"}, {}, True, "shape [2, 3], dtype torch.float32"),
        ({"shape": [3, 2]}, {}, False, "to have shape [3, 2]; it has [2, 3]"),
        ({"dtype": "torch.int64"}, {}, False, "dtype torch.int64; it has torch.float32"),
        ({"is_contiguous": True}, {"is_contiguous": False}, False, "is_contiguous True"),
        ({"requires_grad": True}, {}, False, "requires_grad True; it has False"),
        ({"is_leaf": False}, {}, False, "is_leaf False; it has True"),
        ({"grad_shape": None}, {}, True, "grad_shape no grad"),
        ({"grad_shape": [2, 3]}, {}, False, "grad_shape [2, 3]; it has no grad"),
        ({"shares_storage_with": ["y"]}, {"shares_storage_with": ["y", "z"]}, True, ""),
        ({"shares_storage_with": []}, {"shares_storage_with": ["y"]}, False, "no other variable"),
    ],
)
def test_tensor_checks_only_the_facts_they_state(
    check: dict, facts: dict, passes: bool, says: str
) -> None:
    found = report(tensors=[tensor_info("x", **facts)] + [
        tensor_info(n, shares_storage_with=["x"]) for n in facts.get("shares_storage_with", [])
    ])  # fmt: skip
    [(passed, detail)] = verdicts([{"kind": "tensor", "name": "x", **check}], found)
    assert passed is passes and says in detail


def test_tensor_finds_a_modules_parameter_and_says_when_the_name_is_no_tensor() -> None:
    weight = {k: v for k, v in tensor_info("model.0.weight", requires_grad=True).items()
              if k != "shares_storage_with"}  # fmt: skip
    module = {"name": "model", "type": "Sequential", "training": True, "parameters": [weight],
              "buffers": []}  # fmt: skip
    check = {"kind": "tensor", "name": "model.0.weight", "requires_grad": True}
    assert verdicts([check], report(modules=[module]))[0][0] is True
    [(passed, detail)] = verdicts([{"kind": "tensor", "name": "x"}], report())
    assert not passed and detail == "`x` is not a tensor variable after your code ran."


# ---- equal ----------------------------------------------------------------------------------

EQUAL = [{"kind": "equal", "name": "y"}]


def test_equal_passes_the_same_values_and_names_shape_dtype_and_elements_otherwise() -> None:
    ref = {"y": torch.arange(6.0).reshape(2, 3)}
    assert verdicts(EQUAL, report(), {"y": torch.arange(6.0).reshape(2, 3)}, ref)[0][0]
    shape = verdicts(EQUAL, report(), {"y": torch.arange(6.0)}, ref)[0][1]
    assert shape == "Expected `y` to have shape [2, 3]; it has [6]."
    dtype = verdicts(EQUAL, report(), {"y": torch.arange(6).reshape(2, 3)}, ref)[0][1]
    assert dtype == "Expected `y` to have dtype torch.float32; it has torch.int64."
    off = torch.arange(6.0).reshape(2, 3)
    off[1, 2] += 0.5
    off[0, 1] += 0.001
    [(passed, detail)] = verdicts(EQUAL, report(), {"y": off}, ref)
    assert not passed
    assert detail.startswith("2 of 6 elements of `y` differ from the expected values")
    assert "the first at [0, 1], where yours is 1.001, off by about 0.001" in detail
    assert "the largest difference is about 0.5, at [1, 2]" in detail


def test_equal_compares_every_element_not_a_preview() -> None:
    big = torch.arange(100_000.0)
    changed = big.clone()
    changed[-1] += 1
    [(passed, detail)] = verdicts(EQUAL, report(), {"y": changed}, {"y": big})
    assert not passed and "1 of 100000 elements" in detail and "[99999]" in detail


def test_equal_within_tolerance_passes_and_nan_is_equal_only_to_nan() -> None:
    ref = {"y": torch.tensor([1.0, float("nan"), float("inf")])}
    close = {"y": torch.tensor([1.0 + 1e-7, float("nan"), float("inf")])}
    assert verdicts(EQUAL, report(), close, ref)[0][0]
    [(passed, detail)] = verdicts(EQUAL, report(), {"y": torch.tensor([1.0, 0.0, math.inf])}, ref)
    assert not passed and "NaN on one side only" in detail
    loose = [{"kind": "equal", "name": "y", "atol": 0.1}]
    assert verdicts(loose, report(), {"y": torch.tensor([1.05, math.nan, math.inf])}, ref)[0][0]


def test_a_detail_never_carries_the_expected_values() -> None:
    """The student's own numbers, positions and rough differences: never the reference's."""
    expected = torch.tensor([0.123456789, 9.87654321, -3.14159265, 2.71828182])
    for found in (torch.zeros(4), expected + 1e-3, expected * 2, torch.tensor([0.0])):
        for _, detail in verdicts(EQUAL, report(), {"y": found}, {"y": expected}):
            for number in expected.tolist():
                assert f"{number:.4g}" not in detail and f"{number:.3f}" not in detail


def test_integers_that_differ_say_where_but_not_by_how_much() -> None:
    [(_, detail)] = verdicts(EQUAL, report(), {"y": torch.tensor([0, 5])},
                             {"y": torch.tensor([0, 24])})  # fmt: skip
    assert "1 of 2 elements" in detail and "yours is 5" in detail and "off by" not in detail
    [(_, scalar)] = verdicts(EQUAL, report(), {"y": 3}, {"y": 24})
    assert scalar == "`y` is 3, which is not the expected value."


@pytest.mark.parametrize(
    ("found", "says"),
    [
        ({}, "`y` is not defined after your code ran."),
        ({"y": [1.0, 2.0]}, "Expected `y` to be a tensor; it is list of 2."),
        ({"y": torch.zeros(GRADE_MAX_NUMBERS + 1)}, f"more than the {GRADE_MAX_NUMBERS}"),
        ({"y": torch.zeros(2, dtype=torch.float8_e4m3fn)}, "cannot be read out"),
    ],
)
def test_what_cannot_be_compared_is_said_plainly(found: dict, says: str) -> None:
    [(passed, detail)] = verdicts(EQUAL, report(), found, {"y": torch.zeros(2)})
    assert not passed and says in detail


def test_python_values_compare_with_equality_and_floats_with_tolerance() -> None:
    cases = [
        (3, 3, True),
        (3, 3.0, True),
        ("a", "a", True),
        ((1, 2), [1, 2], False),
        (0.1 + 0.2, 0.3, True),
        (None, None, True),
        ([torch.ones(2)], [torch.ones(2)], True),
    ]
    for want, got, passes in cases:
        assert verdicts(EQUAL, report(), {"y": got}, {"y": want})[0][0] is passes, (want, got)
    [(_, detail)] = verdicts(EQUAL, report(), {"y": [1.0, torch.ones(1)]}, {"y": [1.0, 2.0]})
    assert detail == "Expected item [1] of `y` to be a float; it is tensor [1] torch.float32."


def test_equal_after_the_code_raised_says_so() -> None:
    [(passed, detail)] = verdicts(EQUAL, report(ok=False, error=error()), None,
                                  {"y": torch.ones(1)})  # fmt: skip
    assert not passed and detail == "Your code raised RuntimeError before `y` could be compared."


# ---- function -------------------------------------------------------------------------------

FUNCTION = [{"kind": "function", "name": "f", "args": "(torch.randn(3, 2),)", "trials": 4}]


def test_function_calls_both_under_the_servers_seeds_and_compares_every_trial() -> None:
    def right(x):
        return x.sum(0)

    def wrong(x):
        return x.sum(1)

    def sometimes(x):
        return x.sum(0) if x[0, 0] > -10 else x

    assert verdicts(FUNCTION, report(), {"f": right}, {"f": right}) == [
        (True, "`f` returned the expected result in all 4 trials.")
    ]
    [(passed, detail)] = verdicts(FUNCTION, report(), {"f": wrong}, {"f": right})
    assert not passed and "`f(torch.randn(3, 2),)` (trial 1 of 4)" in detail
    assert "Expected" in detail and "shape [2]; it has [3]" in detail
    assert verdicts(FUNCTION, report(), {"f": sometimes}, {"f": right})[0][0]


def test_function_trials_draw_fresh_arguments() -> None:
    seen: list[torch.Tensor] = []

    def spy(x):
        seen.append(x.clone())
        return x

    verdicts(FUNCTION, report(), {"f": spy}, {"f": lambda x: x})
    assert len(seen) == 4 and len({tuple(x.flatten().tolist()) for x in seen}) == 4


def test_function_that_raises_or_is_missing_says_which() -> None:
    def broken(x):
        raise ValueError("no luck")

    [(_, raised)] = verdicts(FUNCTION, report(), {"f": broken}, {"f": lambda x: x})
    assert raised == "`f(torch.randn(3, 2),)` (trial 1 of 4) raised ValueError: no luck"
    [(_, missing)] = verdicts(FUNCTION, report(), {}, {"f": lambda x: x})
    assert missing == "`f` is not defined after your code ran."
    [(_, other)] = verdicts(FUNCTION, report(), {"f": 3}, {"f": lambda x: x})
    assert "is a int, which a check cannot compare" in other


def test_a_reference_that_gave_nothing_fails_the_check_saying_so() -> None:
    [(passed, detail)] = verdicts(FUNCTION, report(), {"f": lambda x: x}, {})
    assert not passed and "reference gave no value" in detail


# ---- what a run sends is hostile ------------------------------------------------------------


def honest(values: dict[str, Any]) -> dict[str, Any]:
    return captured(values, {"capture": list(values), "calls": []})


def tensor_entry(data: bytes | str = b"\x00" * 8, **changes: Any) -> dict[str, Any]:
    text = data if isinstance(data, str) else base64.b64encode(data).decode()
    entry = {"t": "tensor", "dtype": "torch.float32", "shape": [2], "data": text}
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    "lie",
    [
        None,
        {"values": {}, "calls": []},
        {"values": {"y": {"t": "tensor"}}, "calls": []},
        {"values": {"y": tensor_entry(b"\x00" * 12)}, "calls": []},
        {"values": {"y": tensor_entry(shape=[1, 2, -1])}, "calls": []},
        {"values": {"y": tensor_entry(dtype="torch.fancy")}, "calls": []},
        {"values": {"y": tensor_entry(data="@@not base64@@")}, "calls": []},
        {"values": {"y": tensor_entry(b"\x02", dtype="torch.bool", shape=[1])}, "calls": []},
        {"values": {"y": tensor_entry(shape=[10**9, 10**9])}, "calls": []},
        {"values": {"y": {"t": "float", "v": "1e309"}}, "calls": []},
        {"values": {"y": {"t": "list", "items": [{"t": "none"}] * 2000}}, "calls": []},
        {"values": {"y": {"t": "int", "v": True}}, "calls": []},
        {"values": {"y": {"t": "none"}}, "calls": [[]]},
        {"values": {"y": {"t": "no such kind"}}, "calls": []},
    ],
    ids=range(14),
)
def test_a_grade_section_that_cannot_be_true_is_refused(lie: Any) -> None:
    with pytest.raises(ValueProblem):
        decode_grade(lie, ["y"], [])


def test_a_forged_grade_section_fails_equal_with_the_problem_named() -> None:
    parsed = checks(*EQUAL)
    seeds = draw(KEY, 0, parsed)
    forged = report(grade={"values": {"y": tensor_entry(b"\x00" * 12)}, "calls": []})
    expected = decode_grade(honest({"y": torch.zeros(2)}), ["y"], [])
    [result] = grade(parsed, read_run(forged, parsed, seeds), expected)
    assert not result.passed and "values that cannot be read" in result.details["en"]
    missing = report()  # a report that simply leaves the values out
    [result] = grade(parsed, read_run(missing, parsed, seeds), expected)
    assert not result.passed and "No values came back" in result.details["en"]


def test_a_well_formed_forgery_without_the_values_fails() -> None:
    """A run that writes its own grade section, knowing everything but the reference's
    values (here: zeros, ones, the values of seed 0), fails."""
    torch.manual_seed(0)
    seed0 = torch.randn(4)
    expected = decode_grade(honest({"y": torch.randn(4) * 3}), ["y"], [])
    parsed = checks(*EQUAL)
    for guess in (torch.zeros(4), torch.ones(4), seed0, seed0 * 3):
        forged = report(grade=honest({"y": guess}))
        [result] = grade(parsed, read_run(forged, parsed, draw(KEY, 1, parsed)), expected)
        assert not result.passed


def test_the_wire_layouts_agree_between_the_child_and_the_server() -> None:
    assert {str(dtype): layout for dtype, (_, layout) in child.WIRE_DTYPES.items()} == WIRE_LAYOUTS


@pytest.mark.parametrize("dtype", list(child.WIRE_DTYPES), ids=str)
def test_every_dtype_travels_exactly(dtype: torch.dtype) -> None:
    source = (torch.randn(3, 4) * 50).to(dtype)
    [value] = decode_grade(honest({"t": source}), ["t"], []).values.values()
    assert isinstance(value, TensorValue) and value.dtype == str(dtype)
    back = source.to(torch.complex128 if source.is_complex() else torch.float64).numpy()
    assert np.array_equal(value.array.astype(back.dtype), back)


def test_compare_needs_a_usable_reference() -> None:
    assert compare(Placeholder("raised"), Scalar("int", 1), 0, 0).key == "reference_unusable"


# ---- seeds ----------------------------------------------------------------------------------


def test_seed_draws_are_secret_per_exercise_and_repeat_per_index() -> None:
    parsed = checks(*FUNCTION)
    first, again = draw(KEY, 5, parsed), draw(KEY, 5, parsed)
    assert first == again and len(first.trial_seeds[0]) == 4
    assert draw(bytes(32), 5, parsed).seed != first.seed
    seeds = {draw(KEY, i, parsed).seed for i in range(SEED_POOL)}
    assert len(seeds) == SEED_POOL and 0 not in seeds
    assert grade_spec(checks({"kind": "no_error"}), first) is None


def test_read_run_skips_values_of_a_run_that_raised() -> None:
    parsed = checks(*EQUAL)
    values = read_run(report(ok=False, error=error(), grade=copy.deepcopy(honest({"y": 1}))),
                      parsed, draw(KEY, 0, parsed))  # fmt: skip
    assert values == RunValues(values.report, None)
