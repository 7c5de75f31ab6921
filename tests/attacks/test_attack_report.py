"""Attacks on the report: a run can write any report it likes, and honest code can be odd.

The server checks a report beyond its schema (report_checks.py) and turns one that cannot
be true into a SandboxViolation, never a 500 and never a page; the child reads tensors with
torch functions disabled, so a subclass cannot lie about itself.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.attacks.helpers import FORGED_REPORT, error_of, forging

TENSOR = {
    "name": "x", "shape": [2, 3], "dtype": "torch.float32", "device": "cpu", "stride": [3, 1],
    "storage_offset": 0, "is_contiguous": True, "requires_grad": False, "is_leaf": True,
    "grad_fn": None, "numel": 6, "shares_storage_with": [], "grad": None,
    "values": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
}  # fmt: skip


def forged(**changes: Any) -> dict[str, Any]:
    report = copy.deepcopy(FORGED_REPORT)
    report["tensors"] = [copy.deepcopy(TENSOR)]
    for path, value in changes.items():
        target = report
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return report


def test_a_consistent_forged_report_is_the_runs_to_send(run_snippet) -> None:
    report = run_snippet(forging(forged()))
    assert report["stdout"] == "forged" and report["tensors"][0]["numel"] == 6


@pytest.mark.parametrize(
    "lie",
    [
        {"tensors__0__shape": [1700, 1700]},  # numel 6: walking it stalled the page
        {"tensors__0__stride": [1]},
        {"tensors__0__values": [[1.0] * 300, [2.0]]},
        {"tensors__0__shares_storage_with": ["nobody"]},
        {"steps": [{"line": 999, "changed": []}]},
        {"warnings": [{"kind": "nan", "line": 0, "message": "m"}]},
        {"ok": False, "error": {"type": "RuntimeError", "message": "m", "line": 99,
                                "traceback": "", "operands": []}},
        {"graph": {"nodes": [{"id": "a", "kind": "op", "label": "MulBackward0", "name": None}],
                   "edges": [{"source": "a", "target": "missing"}]}},
        {"figures": [{"format": "png", "data": "PHNjcmlwdD4="}]},  # not a PNG
    ],
    ids=lambda lie: next(iter(lie)),
)  # fmt: skip
def test_a_report_that_cannot_be_true_is_a_sandbox_violation(run_snippet, lie) -> None:
    report = run_snippet(forging(forged(**lie)))
    kind, message = error_of(report)
    assert kind == "SandboxViolation" and "cannot be true" in message
    assert report["tensors"] == [] and report["outcome"] == "SandboxViolation"


def test_the_outcome_is_the_servers_reading_never_the_runs(run_snippet) -> None:
    report = run_snippet(forging({**forged(), "outcome": "ok", "ok": False, "error": {
        "type": "TimeLimitExceeded", "message": "m", "line": None, "traceback": ""}}))  # fmt: skip
    assert report["outcome"] == "TimeLimitExceeded"


def test_an_honest_subclass_cannot_mislead_the_report(run_snippet) -> None:
    code = (
        "class Liar(torch.Tensor):\n"
        "    @property\n    def shape(self):\n        return torch.Size([48, 48, 48])\n"
        "    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        if getattr(func, '__name__', '') == 'numel':\n            return 1\n"
        "        return super().__torch_function__(func, types, args, kwargs or {})\n"
        "x = torch.ones(2, 3).as_subclass(Liar)\n"
    )
    report = run_snippet(code)
    assert report["error"] is None, report["error"]
    (x,) = report["tensors"]
    assert (x["shape"], x["numel"], x["stride"]) == ([2, 3], 6, [3, 1])


def test_a_tensor_torch_cannot_fully_describe_leaves_the_others_in_place(run_snippet) -> None:
    code = (
        "import warnings\nwarnings.simplefilter('ignore')\n"
        "a = torch.ones(2)\ncsr = torch.eye(3).to_sparse_csr()\n"
        "nt = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])\nb = a * 2\n"
    )
    report = run_snippet(code)
    names = [t["name"] for t in report["tensors"]]
    assert names == ["a", "csr", "b"], names
    csr = report["tensors"][1]
    assert (csr["shape"], csr["numel"], csr["layout"]) == ([3, 3], 9, "torch.sparse_csr")
    assert any("nt" in problem for problem in report["inspection_problems"])
