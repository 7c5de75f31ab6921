"""The facts each notice states, for shape, joining, arithmetic and conversion."""

from __future__ import annotations

import torch
from lesson_checks import (
    Claim,
    fact,
    flags,
    holds,
    lookup,
    out,
    raises,
    shares,
    stat,
    values,
)  # fmt: skip

SHAPES: dict[str, list[Claim]] = {
    # --- shape ------------------------------------------------------------------------
    "shape-size-and-shape": [
        out("torch.Size([100, 8]) torch.Size([100, 8]) True"),
        out("100 8 100"),
    ],
    "shape-reshape": [
        fact("new_data.shape", [2, 10]),
        fact("inferred.shape", [1, 20]),
        holds(
            "the elements keep their order",
            lambda r: torch.equal(values(r, "inferred").flatten(), values(r, "data").flatten()),
        ),
    ],
    "shape-reshape-vs-transpose": [
        fact("data_reshape.shape", [4, 3, 5]),
        fact("data_transpose.shape", [4, 3, 5]),
        holds(
            "transpose swaps the axes",
            lambda r: torch.equal(values(r, "data_transpose"), values(r, "data").transpose(0, 1)),
        ),
        holds(
            "reshape re-reads in order",
            lambda r: torch.equal(values(r, "data_reshape"), values(r, "data").reshape(4, 3, 5)),
        ),
        out("False\nTrue"),
    ],
    "shape-t-strides": [
        fact("x.stride", [3, 1]),
        fact("y.stride", [1, 3]),
        fact("y.is_contiguous", False),
        shares("y", "x"),
    ],
    "shape-permute": [
        fact("data_permute.shape", [5, 3, 4]),
        fact("data.stride", [20, 5, 1]),
        fact("data_permute.stride", [1, 20, 5]),
        shares("data_permute", "data", "twice"),
        out("True"),
    ],
    "shape-view": [
        shares("data_view", "data"),
        fact("data.values", [[99, 20, 30], [40, 50, 60]]),
        out("torch.Size([3, 2]) True\nTrue"),
        flags("shared_modified"),
    ],
    "shape-view-non-contiguous": [
        fact("t1.stride", [3, 1]),
        fact("t1_.stride", [1, 3]),
        fact("t1_.is_contiguous", False),
        raises("view size is not compatible"),
        raises("Use .reshape(...) instead"),
    ],
    "shape-view-fix-contiguous": [
        fact("data_contiguous.stride", [2, 1]),
        fact("data_view.values", [[10, 40, 20], [50, 30, 60]]),
        shares("data_contiguous", "data_view"),
    ],
    "shape-view-fix-reshape": [
        shares("flat"),
        fact("flat.is_contiguous", True),
        holds(
            "flat is t1_ in row order",
            lambda r: torch.equal(values(r, "flat"), values(r, "t1").t().reshape(-1)),
        ),
        holds(
            "flat_t1 is a view of t1", lambda r: "flat_t1" in lookup(r, "t1.shares_storage_with")
        ),
        out("True True"),
    ],
    "shape-squeeze": [
        fact("data_squ.shape", [3, 5]),
        fact("data_squ_1.shape", [1, 3, 5]),
        fact("unchanged.shape", [1, 3, 1, 5]),
    ],
    "shape-unsqueeze": [
        fact("data_unsqu.shape", [3, 4, 5, 1]),
        fact("batch_of_one.shape", [1, 3, 4, 5]),
        shares("data_unsqu", "data", "batch_of_one"),
    ],
    "shape-expand": [
        fact("expanded.stride", [0, 1]),
        shares("expanded", "row"),
        fact("repeated.stride", [3, 1]),
        shares("repeated"),
        fact("expanded.values", [[100, 2, 3]] * 4),
        fact("repeated.values", [[1, 2, 3]] * 4),
        out("True"),
    ],
    # --- joining ----------------------------------------------------------------------
    "joining-cat": [
        fact("z_cat.shape", [4, 3]),
        fact("z_cat1.shape", [2, 6]),
        fact("uneven.shape", [7, 3]),
        shares("z_cat"),
    ],
    "joining-stack": [
        fact("c.shape", [2, 3, 3]),
        fact("last.shape", [3, 3, 2]),
        out("True"),
        holds(
            "last[i, j] is the pair a[i, j], b[i, j]",
            lambda r: values(r, "last")[1][2].tolist() == [6, 66],
        ),
    ],
    "joining-stack-needs-same-shape": [
        fact("joined.shape", [7, 3]),
        raises("stack expects each tensor to be equal size"),
    ],
    "joining-chunk": [
        fact("first.shape", [2, 3]),
        fact("second.shape", [2, 3]),
        fact("third.shape", [2, 1]),
        shares("first", "t", "second", "third"),
        out("3 [torch.Size([2]), torch.Size([2]), torch.Size([2])]"),
    ],
    "joining-split": [
        out("[torch.Size([2, 3]), torch.Size([2, 3]), torch.Size([2, 1])]"),
        fact("left.shape", [2, 2]),
        fact("right.shape", [2, 5]),
    ],
    # --- arithmetic -------------------------------------------------------------------
    "arithmetic-basic-ops": [
        fact("tensor.values", [[6], [3]]),
        fact("data_add.values", [[14, 9, 11], [10, 5, 7]]),
        fact("data_div.dtype", "torch.float32"),
        fact("data_add.dtype", "torch.int64"),
        fact("data_sub.dtype", "torch.int64"),
        fact("data_mul.dtype", "torch.int64"),
        fact("data_neg.dtype", "torch.int64"),
    ],
    "arithmetic-broadcasting": [
        fact("per_row.shape", [2, 1]),
        fact("per_column.shape", [3]),
        raises("The size of tensor a (3) must match the size of tensor b (2)"),
    ],
    "arithmetic-inplace": [
        shares("result", "data"),
        fact("data.values", [[14, 9, 11], [10, 5, 7]]),
        out("True True"),
    ],
    "arithmetic-inplace-dtype-error": [
        fact("data.dtype", "torch.int64"),
        raises("result type Float can't be cast to the desired output type Long"),
    ],
    "arithmetic-hadamard-vs-matmul": [
        fact("hadamard.values", [[5, 12], [21, 32]]),
        fact("star.values", [[5, 12], [21, 32]]),
        fact("matrix.values", [[19, 22], [43, 50]]),
    ],
    "arithmetic-mm": [
        fact("at.shape", [3, 2]),
        fact("at.values", [[19, 22], [43, 50], [67, 78]]),
        out("True"),
    ],
    "arithmetic-matmul-mismatch": [
        fact("product.shape", [3, 4]),
        raises("mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)"),
        holds(
            "a @ b.T would be (3, 3)",
            lambda r: tuple((values(r, "a") @ values(r, "a").T).shape) == (3, 3),
        ),
    ],
    "arithmetic-matmul-shapes": [
        fact("matmul1.shape", [4, 6]),
        fact("matmul2.shape", [3, 4, 8]),
    ],
    "arithmetic-bmm": [
        fact("data.shape", [3, 4, 8]),
        fact("res.shape", [10, 2, 2]),
        out("True"),
    ],
    "arithmetic-bmm-needs-3d": [raises("batch1 must be a 3D tensor"), fact("data1.shape", [4, 5])],
    "arithmetic-matmul-broadcast": [
        fact("dot.shape", []),
        fact("row.shape", [8]),
        fact("column.shape", [3, 4]),
        fact("shared.shape", [3, 4, 8]),
        fact("grid.shape", [2, 3, 4, 8]),
    ],
    "arithmetic-mean-dim": [
        fact("per_row.shape", [2]),
        fact("per_column.shape", [3]),
        fact("overall.shape", []),
        fact("per_column.values", [3.0, 1.5, 0.5]),
        fact("per_row.values", [5 / 3, 5 / 3]),
    ],
    "arithmetic-mean-int-error": [
        fact("total.values", 10),
        fact("total.dtype", "torch.int64"),
        raises("could not infer output dtype"),
    ],
    "arithmetic-sum-keepdim": [
        fact("row_sums_flat.shape", [2]),
        fact("row_sums.shape", [2, 1]),
        holds(
            "every row sums to 1",
            lambda r: torch.allclose(
                values(r, "normalised").sum(dim=1), torch.ones(2, dtype=torch.float64)
            ),
        ),
    ],
    "arithmetic-dim-minus-one": [
        fact("last.shape", [2, 6]),
        fact("per_row.shape", [4, 2]),
        out("True"),
    ],
    "arithmetic-norm": [
        fact("t_norm.shape", [64, 3, 3]),
        fact("t_norm_keep.shape", [64, 3, 3, 1]),
        stat("t_norm.stats.min", lambda v: v == 3, "every group gives 3"),
        stat("t_norm.stats.max", lambda v: v == 3, "every group gives 3"),
        out("tensor(5.) tensor(7.)"),
    ],
    "arithmetic-sign": [fact("signs.values", [1.0, -1.0, 0.0, 1.0]), out("True")],
    "arithmetic-clamp-clip": [
        holds(
            "only the upper bound bites",
            lambda r: torch.equal(values(r, "clipped"), values(r, "a").clamp(max=0.5)),
        ),
        out("True"),
        holds(
            "min=0 is ReLU",
            lambda r: torch.equal(values(r, "only_min"), torch.relu(values(r, "b"))),
        ),
    ],
    # --- conversion -------------------------------------------------------------------
    "conversion-numpy-shares-memory": [
        out("after changing the tensor [2 2 3]"),
        out("after changing numpy tensor([3, 2, 3])"),
        shares("back", "data_tensor"),
    ],
    "conversion-numpy-copy": [
        fact("data_tensor.values", [2, 2, 3]),
        fact("back.values", [3, 2, 3]),
        shares("back"),
        out("after changing numpy tensor([2, 2, 3]) [3 2 3]"),
    ],
    "conversion-from-numpy-vs-tensor": [
        fact("data_tensor1.values", [100, 3, 4]),
        fact("data_tensor3.values", [100, 3, 4]),
        fact("data_tensor2.values", [2, 3, 4]),
        fact("data_tensor_copy.values", [2, 3, 4]),
        shares("data_tensor1", "data_tensor3"),
    ],
    "conversion-from-numpy-float64": [
        fact("kept.dtype", "torch.float64"),
        fact("copied.dtype", "torch.float64"),
        fact("as_float32.dtype", "torch.float32"),
        fact("from_float32.dtype", "torch.float32"),
        fact("u.values", [1.0, 2.0, 3.0]),
        fact("u.dtype", "torch.float32"),
    ],
    "conversion-item": [
        out("torch.Size([]) torch.Size([1]) torch.Size([1, 1])"),
        out("0 10 20 <class 'int'>"),
    ],
    "conversion-item-multi-element": [
        fact("data.shape", [2]),
        raises("a Tensor with 2 elements cannot be converted to Scalar"),
    ],
    "conversion-tolist": [out("[[10, 20], [30, 40]] 10 100"), fact("data.dtype", "torch.int64")],
    "conversion-bool-ambiguous": [
        out("one element: a plain True or False"),
        raises("Boolean value of Tensor with more than one value is ambiguous"),
    ],
}
