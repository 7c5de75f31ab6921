"""What the server refuses in a run's report, as a table: each lie and what it breaks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.sandbox.limits import RunLimits
from app.sandbox.report import skeleton
from app.sandbox.report_checks import checked_response

LIMITS = RunLimits()
CODE = "x = torch.ones(2, 3)\ny = x.t()\nz = y.sum()\n"  # three lines
TENSOR = {
    "name": "x", "shape": [2, 3], "dtype": "torch.float32", "device": "cpu", "stride": [3, 1],
    "storage_offset": 0, "is_contiguous": True, "requires_grad": False, "is_leaf": True,
    "grad_fn": None, "numel": 6, "shares_storage_with": [], "grad": None,
    "values": [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], "stats": None,
}  # fmt: skip


def report(**changes: Any) -> dict[str, Any]:
    base = skeleton()
    base["tensors"] = [copy.deepcopy(TENSOR), {**copy.deepcopy(TENSOR), "name": "y"}]
    base.update(copy.deepcopy(changes))
    return base


def outcome_of(data: dict[str, Any]) -> tuple[str | None, str]:
    response = checked_response(json.dumps(data).encode(), CODE, LIMITS)
    return (response.error.type if response.error else None), (
        response.error.message if response.error else ""
    )


def tensor(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(TENSOR), **changes}


def test_an_honest_report_passes_and_gets_the_servers_outcome() -> None:
    response = checked_response(json.dumps(report()).encode(), CODE, LIMITS)
    assert response.error is None and response.outcome == "ok"
    assert [t.name for t in response.tensors] == ["x", "y"]


LIES = [
    ("numel is not the product of shape", {"tensors": [tensor(shape=[1700, 1700])]}),
    ("a stride per dimension", {"tensors": [tensor(stride=[1])]}),
    ("a negative size", {"tensors": [tensor(shape=[-2, -3])]}),
    ("65 dimensions", {"tensors": [tensor(shape=[1] * 65, numel=1, stride=[1] * 65)]}),
    ("values longer than the shape", {"tensors": [tensor(values=[[1.0] * 4, [1.0]])]}),
    ("values deeper than the shape", {"tensors": [tensor(values=[[[1.0]], [[1.0]]])]}),
    ("more values than a preview", {"tensors": [tensor(shape=[300], numel=300, stride=[1],
                                                       values=[0.0] * 300)]}),
    ("nan count over numel", {"tensors": [tensor(stats={"min": 0, "max": 1, "mean": 0,
                                                        "nan": 7, "inf": 0})]}),
    ("a grad of another shape", {"tensors": [tensor(grad={**tensor(), "shape": [6],
                                                          "numel": 6, "stride": [1]})]}),
    ("sharing with a name not listed", {"tensors": [tensor(shares_storage_with=["ghost"])]}),
    ("a name listed twice", {"tensors": [tensor(), tensor()]}),
    ("a step past the end", {"steps": [{"line": 4, "changed": []}]}),
    ("a step before the start", {"steps": [{"line": 0, "changed": []}]}),
    ("a warning past the end", {"warnings": [{"kind": "nan", "line": 40, "message": "m"}]}),
    ("an error past the end", {"ok": False, "error": {"type": "E", "message": "m", "line": 9,
                                                      "traceback": ""}}),
    ("ok with an error", {"ok": True, "error": {"type": "E", "message": "m", "line": 1,
                                                "traceback": ""}}),
    ("an edge to nowhere", {"graph": {"nodes": [{"id": "1", "kind": "op", "label": "L",
                                                 "name": None}],
                                      "edges": [{"source": "1", "target": "2"}]}}),
    ("a node twice", {"graph": {"nodes": [{"id": "1", "kind": "op", "label": "L", "name": None}]
                                * 2, "edges": []}}),
    ("more steps than the cap", {"steps": [{"line": 1, "changed": []}] * 1001}),
    ("a figure that is not a PNG", {"figures": [{"format": "png", "data": "R0lGODlh"}]}),
    ("a figure that is not base64", {"figures": [{"format": "png", "data": "%%%%"}]}),
    ("an error type of 300 characters", {"ok": False, "error": {"type": "E" * 300,
                                                                "message": "m", "line": 1,
                                                                "traceback": ""}}),
    ("an operand with a bad shape", {"ok": False, "error": {"type": "E", "message": "m",
                                                            "line": 1, "traceback": "",
                                                            "operands": [{"shape": [-1]}]}}),
]  # fmt: skip


@pytest.mark.parametrize(("lie", "changes"), LIES, ids=[lie for lie, _ in LIES])
def test_a_report_that_cannot_be_true_becomes_a_sandbox_violation(lie: str, changes) -> None:
    kind, message = outcome_of(report(**changes))
    assert kind == "SandboxViolation", lie
    assert message.startswith("The run sent a report that cannot be true")


@pytest.mark.parametrize(
    "line", [b"", b"null", b"[]", b'{"ok": true}', b"\xff\xfe", b'{"ok": true, "tensors": 5}']
)
def test_what_is_not_a_report_at_all_is_a_malformed_report(line: bytes) -> None:
    response = checked_response(line, CODE, LIMITS)
    assert response.error is not None and response.error.type == "SandboxViolation"
    assert "malformed report" in response.error.message


def test_a_syntax_error_may_point_one_line_past_the_end() -> None:
    error = {"type": "SyntaxError", "message": "m", "line": 4, "traceback": ""}
    assert outcome_of(report(ok=False, error=error))[0] == "SyntaxError"


def test_an_expanded_tensor_with_a_huge_numel_is_honest() -> None:
    huge = tensor(shape=[10**12], numel=10**12, stride=[0], values=[1.0] * 256)
    assert outcome_of(report(tensors=[huge]))[0] is None


@pytest.mark.parametrize(
    "changes",
    [
        {"tensors": [tensor(numel=10**4000)]},
        {"tensors": [tensor(stride=[3, 2**64])]},
        {"tensors": [tensor(storage_offset=-(2**63) - 1)]},
        {"steps": [{"line": 10**30, "changed": []}]},
    ],
    ids=["a 4,000-digit numel", "a stride past uint64", "an offset below int64", "a huge line"],
)
def test_an_integer_no_tensor_can_have_is_a_malformed_report(changes: dict[str, Any]) -> None:
    kind, message = outcome_of(report(**changes))
    assert kind == "SandboxViolation"
    assert "malformed report" in message
