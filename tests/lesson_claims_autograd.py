"""The facts each autograd notice states."""

from __future__ import annotations

import torch
from lesson_checks import Claim, err, fact, flags, grad, holds, out, raises, shares, stat, values
from lesson_runs import Report

NON_LEAF_WARNING = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


def graph_leaves(report: Report) -> set[str]:
    return {node["name"] for node in report["graph"]["nodes"] if node["kind"] == "leaf"}


def graph_ops(report: Report) -> set[str]:
    return {node["label"] for node in report["graph"]["nodes"] if node["kind"] == "op"}


def expand_grad() -> torch.Tensor:
    """The notice says `expand` acts like `repeat`: checked with torch itself."""
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    v.expand(3, 2).sum().backward()
    assert v.grad is not None
    return v.grad


AUTOGRAD: dict[str, list[Claim]] = {
    # --- autograd ---------------------------------------------------------------------
    "autograd-scalar-grad": [fact("x.grad.values", 20.0), fact("f.grad_fn", "AddBackward0")],
    "autograd-requires-grad-needs-float": [
        fact("x.requires_grad", True),
        raises("Only Tensors of floating point and complex dtype can require gradients"),
    ],
    "autograd-vector-grad": [
        fact("x.grad.values", [5.0, 10.0, 15.0, 20.0]),
        fact("f_mean.shape", []),
        holds(
            "with sum it would be 2x",
            lambda r: torch.equal(
                2 * values(r, "x"), torch.tensor([20.0, 40, 60, 80], dtype=torch.float64)
            ),
        ),
    ],
    "autograd-several-inputs": [
        fact("x1.grad.values", 22.0),
        fact("x2.grad.values", 40.0),
        fact("v1.grad.values", [22.0, 42.0, 62.0, 82.0]),
        fact("v2.grad.values", [80.0, 100.0, 120.0, 140.0]),
    ],
    "autograd-graph-linear": [
        fact("y.grad_fn", "AddBackward0"),
        holds(
            "the add's input is the multiply",
            lambda r: {"AddBackward0", "MulBackward0"} <= graph_ops(r),
        ),
        holds("the leaves are x, w and b", lambda r: graph_leaves(r) == {"x", "w", "b"}),
        fact("x.grad.values", 2.0),
        fact("w.grad.values", 1.0),
        fact("b.grad.values", 1.0),
    ],
    "autograd-is-leaf": [
        fact("t2.is_leaf", False),
        fact("t2.grad_fn", "AddBackward0"),
        fact("t2.grad", None),
        fact("base.grad.values", [[1.0, 1.0], [1.0, 1.0]]),
        err(NON_LEAF_WARNING),
        fact("t3.is_leaf", True),
        fact("t3.requires_grad", True),
        fact("plain.is_leaf", True),
        fact("plain.requires_grad", False),
    ],
    "autograd-retain-grad": [
        fact("z.grad", None),
        err(NON_LEAF_WARNING),
        fact("y.grad.values", [4.0, 8.0, 12.0]),
        fact("x.grad.values", [9.0, 17.0, 25.0]),
    ],
    "autograd-grad-accumulation": [
        out("tensor([ 5., 10., 15., 20.])\ntensor([10., 20., 30., 40.])"),
        out("tensor([15., 30., 45., 60.])"),
        holds("three times x / 2", lambda r: torch.equal(grad(r, "x"), 3 * values(r, "x") / 2)),
        flags("grad_accumulated"),
    ],
    "autograd-zero-grad": [
        fact("x.grad.values", [5.0, 10.0, 15.0, 20.0]),
        flags("grad_accumulated", present=False),
        holds(
            "the same every pass", lambda r: r["stdout"].count("tensor([ 5., 10., 15., 20.])") == 3
        ),
    ],
    "autograd-backward-twice": [
        fact("x.grad.values", [5.0, 10.0, 15.0, 20.0]),
        raises("Trying to backward through the graph a second time"),
    ],
    "autograd-backward-non-scalar": [
        fact("y.shape", [2, 2]),
        raises("grad can be implicitly created only for scalar outputs"),
    ],
    "autograd-backward-non-scalar-fix": [
        holds("t1.grad == t2", lambda r: torch.equal(grad(r, "t1"), values(r, "t2"))),
        holds("t2.grad == t1", lambda r: torch.equal(grad(r, "t2"), values(r, "t1"))),
        out("True True\nTrue True"),
        flags("grad_accumulated", present=False),
    ],
    "autograd-autograd-backward": [
        holds("x.grad = w", lambda r: torch.equal(grad(r, "x"), values(r, "w"))),
        holds("w.grad = x", lambda r: torch.equal(grad(r, "w"), values(r, "x"))),
        fact("h.grad", None),
        fact("h.is_leaf", False),
        err(NON_LEAF_WARNING),
    ],
    "autograd-autograd-grad": [
        fact("dy_dx.values", [3.0, 12.0, 27.0]),
        fact("x.grad", None),
        fact("d2y_dx2.values", [6.0, 12.0, 18.0]),
        fact("dy_dx.requires_grad", True),
    ],
    "autograd-no-grad": [
        fact("f.grad_fn", None),
        fact("f.requires_grad", False),
        fact("x.requires_grad", True),
        fact("g.requires_grad", False),
        fact("h.requires_grad", True),
        out("False None\nFalse True"),
    ],
    "autograd-set-grad-enabled": [
        fact("g.requires_grad", False),
        fact("f.grad_fn", None),
        raises("element 0 of tensors does not require grad and does not have a grad_fn"),
    ],
    "autograd-gradient-descent": [
        out("0 7.0\n1 5.53"),
        stat("x.values", lambda v: 0.03 < v < 0.036, "x is about 0.033 after 1000 steps"),
        fact("x.is_leaf", True),
    ],
    "autograd-detach": [
        fact("y.requires_grad", False),
        fact("y.grad_fn", None),
        shares("y", "x"),
        out("False None True"),
        fact("x1.values", [100.0, 20.0]),
        shares("x1", "x2"),
    ],
    "autograd-two-branches": [
        fact("x.grad.values", [5.0] * 5),
        holds(
            "2x + 3x²",
            lambda r: torch.equal(grad(r, "x"), 2 * values(r, "x") + 3 * values(r, "x") ** 2),
        ),
    ],
    "autograd-detach-one-branch": [
        fact("x.grad.values", [2.0] * 5),
        fact("z.requires_grad", False),
    ],
    "autograd-backward-after-detach": [
        fact("z.grad_fn", None),
        fact("y.requires_grad", False),
        raises("element 0 of tensors does not require grad"),
    ],
    "autograd-numpy-requires-grad": [
        raises(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
        ),
        fact("x.requires_grad", True),
    ],
    "autograd-numpy-requires-grad-fix": [
        out("[10. 20.] <class 'numpy.ndarray'> cpu"),
        out("[20. 40.] True"),
        fact("x.device", "cpu"),
        shares("on_cpu", "y"),
    ],
    "autograd-inplace-before-backward": [
        raises("modified by an inplace operation"),
        raises("is at version 1; expected version 0"),
        fact("y.values", [3.0] * 5),
    ],
    "autograd-inplace-via-detach": [
        shares("x_detached", "x"),
        fact("x.values", [100.0, 1.0, 1.0, 1.0, 1.0]),
        raises("modified by an inplace operation"),
    ],
    "autograd-inplace-on-leaf": [
        raises("a leaf Variable that requires grad is being used in an in-place operation"),
        fact("x.values", [1.0] * 5),
    ],
    "autograd-cat-keeps-gradient": [
        fact("a.grad.values", [3.0, 3.0]),
        fact("b.grad.values", [3.0, 3.0, 3.0]),
    ],
    "autograd-copy-view-keep-gradient": [
        fact("x.grad.values", [[2.0, 2.0], [2.0, 2.0]]),
        fact("v.grad.values", [3.0, 3.0]),
        fact("w.grad.values", [2.0, 0.0, 1.0]),
        holds(
            "expand sums like repeat",
            lambda r: torch.equal(expand_grad(), torch.tensor([3.0, 3.0])),
        ),
    ],
    "autograd-where-nan-gradient": [
        fact("y.values", [0.0, 0.0, 2.0]),
        stat("x.grad.stats.nan", lambda n: n == 2, "two NaN grads"),
        fact("z.grad.values", [0.0, 0.0, 0.25]),
        fact("y_safe.values", [0.0, 0.0, 2.0]),
    ],
}
