"""The facts each notice states, for creation and indexing."""

from __future__ import annotations

import torch
from lesson_checks import (
    Claim,
    fact,
    holds,
    lookup,
    out,
    raises,
    shares,
    stat,
    values,
)  # fmt: skip

BASICS: dict[str, list[Claim]] = {
    # --- creation ---------------------------------------------------------------------
    "creation-tensor-from-data": [
        fact("scalar.dtype", "torch.int64"),
        fact("scalar.shape", []),
        fact("from_numpy.dtype", "torch.float64"),
        fact("nested.dtype", "torch.int64"),
        fact("nested.shape", [1, 2, 10]),
        fact("floats.dtype", "torch.float32"),
        out("torch.Size([])"),
    ],
    "creation-tensor-vs-tensor-class": [
        fact("empty_2x3.shape", [2, 3]),
        fact("empty_2x3.dtype", "torch.float32"),
        fact("from_list.values", [2.0, 3.0]),
        fact("from_list.dtype", "torch.float32"),
        fact("with_function.values", [2, 3]),
        fact("with_function.dtype", "torch.int64"),
    ],
    "creation-typed-constructors": [
        fact("ints.dtype", "torch.int32"),
        fact("ints.shape", [2, 3]),
        fact("floats.dtype", "torch.float32"),
        fact("converted.values", [1, -1, 2]),
        fact("converted.dtype", "torch.int32"),
    ],
    "creation-arange": [
        fact("data.values", [0, 2, 4, 6, 8]),
        fact("data.dtype", "torch.int64"),
        shares("wrapped", "data"),
        fact("wrapped.dtype", "torch.int64"),
        fact("halves.values", [0.0, 0.5, 1.0, 1.5]),
        fact("halves.dtype", "torch.float32"),
    ],
    "creation-linspace": [
        fact("five.values", [0.0, 0.25, 0.5, 0.75, 1.0]),
        fact("data.shape", [100]),
        holds("the step is 10 / 99", lambda r: abs(float(values(r, "data")[1]) - 10 / 99) < 1e-6),
        holds("both ends are included", lambda r: values(r, "data")[[0, -1]].tolist() == [0, 10]),
    ],
    "creation-logspace": [
        fact("powers_of_ten.values", [1.0, 10.0, 100.0, 1000.0]),
        fact("powers_of_two.values", [1.0, 2.0, 4.0, 8.0, 16.0]),
    ],
    "creation-eye": [
        fact("square.values", [[1.0, 0.0], [0.0, 1.0]]),
        fact("wide.shape", [3, 4]),
        fact("wide.values", torch.eye(3, 4).tolist()),
        fact("wide.dtype", "torch.float32"),
    ],
    "creation-zeros-ones-full": [
        fact("data.dtype", "torch.float32"),
        fact("ones.dtype", "torch.float32"),
        fact("sixes.dtype", "torch.int64"),
        fact("data1.shape", [2, 3]),
        fact("data1.dtype", "torch.float32"),
        fact("halves.dtype", "torch.float32"),
        fact("halves.values", [[0.5] * 3] * 2),
    ],
    "creation-rand-randn": [
        stat("many_uniform.stats.min", lambda v: v >= 0, "rand is never negative"),
        stat("many_uniform.stats.max", lambda v: v < 1, "rand is below 1"),
        stat("many_normal.stats.mean", lambda v: abs(v) < 0.05, "randn's mean is near 0"),
        stat("many_normal.stats.min", lambda v: v < -3, "randn goes below -3"),
        stat("many_normal.stats.max", lambda v: v > 3, "randn goes above 3"),
        fact("ints.dtype", "torch.int64"),
        holds(
            "randint is in 0..9",
            lambda r: 0 <= values(r, "ints").min() <= values(r, "ints").max() <= 9,
        ),
    ],
    "creation-normal": [
        fact("samples.shape", [2, 3]),
        fact("around_means.shape", [4]),
        holds(
            "each is near its mean",
            lambda r: (values(r, "around_means") - torch.arange(1.0, 5.0)).abs().max() < 0.5,
        ),
    ],
    "creation-bernoulli": [
        holds(
            "draws are 0 or 1", lambda r: set(values(r, "draws").flatten().tolist()) <= {0.0, 1.0}
        ),
        fact("draws.dtype", "torch.float32"),
        fact("draws.shape", [3, 3]),
        fact("always.values", [1.0] * 4),
        fact("never.values", [0.0] * 4),
    ],
    "creation-randperm": [
        fact("perm.dtype", "torch.int64"),
        holds("every index once", lambda r: sorted(values(r, "perm").tolist()) == list(range(10))),
        holds(
            "a new order each call",
            lambda r: not torch.equal(values(r, "perm"), values(r, "another")),
        ),
    ],
    "creation-manual-seed": [
        holds(
            "seed 42 gives the article's numbers",
            lambda r: torch.allclose(
                values(r, "first")[0],
                torch.tensor([0.3367, 0.1288, 0.2345], dtype=torch.float64),
                atol=1e-4,
            ),
        ),
        holds(
            "first equals second", lambda r: torch.equal(values(r, "first"), values(r, "second"))
        ),
        out("True"),
    ],
    "creation-type-conversion": [
        fact("data.dtype", "torch.int64"),
        fact("data1.dtype", "torch.float32"),
        fact("data2.dtype", "torch.float32"),
        fact("data3.dtype", "torch.float64"),
        shares("same", "data2"),
        shares("data1"),
        out("True"),
    ],
    "creation-long-truncates": [
        fact("truncated.values", [1, -1, 2, 0]),
        fact("rounded.values", [2, -2, 2, 0]),
        fact("labels.dtype", "torch.int64"),
    ],
    # --- indexing ---------------------------------------------------------------------
    "indexing-simple": [
        holds(
            "data[0, 1] is data[0][1]",
            lambda r: (
                lookup(r, "element.values")
                == lookup(r, "same_element.values")
                == values(r, "data")[0][1]
            ),
        ),
        fact("column_slice.shape", [3, 1]),
        fact("rows_then_rows.shape", [1, 5]),
        fact("rows_then_rows.values", [[8, 4, 0, 4, 1]]),
        shares("row", "data", "element", "same_element", "column_slice", "rows_then_rows"),
    ],
    "indexing-multi-dim": [
        fact("first_block.shape", [4, 5]),
        fact("first_rows.shape", [3, 5]),
        fact("first_columns.shape", [3, 4]),
        holds(
            "first_rows is row 0 of each block",
            lambda r: torch.equal(values(r, "first_rows"), values(r, "data")[:, 0, :]),
        ),
    ],
    "indexing-boolean": [
        fact("mask.dtype", "torch.bool"),
        fact("mask.shape", [4, 5]),
        fact("big.values", [42, 67, 76, 35, 50, 78, 54, 31, 72, 95, 67]),
        fact("rows.shape", [2, 5]),
        shares("big"),
        shares("rows"),
    ],
    "indexing-integer-indices": [
        fact("rows.values", [[2, 7, 6, 4, 6], [8, 4, 0, 4, 1]]),
        shares("rows"),
        fact("positions.dtype", "torch.float32"),
        raises("tensors used as indices must be long, int, byte or bool tensors"),
    ],
    "indexing-embedding-range": [
        fact("vectors.shape", [3, 3]),
        out("True"),
        raises("index out of range in self"),
    ],
    "indexing-index-select": [
        fact("rows.shape", [2, 4]),
        fact("columns.shape", [3, 3]),
        shares("rows"),
        holds(
            "columns 3, 3, 0",
            lambda r: torch.equal(values(r, "columns"), values(r, "t")[:, [3, 3, 0]]),
        ),
    ],
    "indexing-masked-select": [
        holds(
            "as t[t >= 5]",
            lambda r: torch.equal(values(r, "selected"), values(r, "t")[values(r, "t") >= 5]),
        ),
        out("True"),
        fact("corners.shape", [6]),
        holds(
            "columns 0 and 3 of each row",
            lambda r: torch.equal(values(r, "corners"), values(r, "t")[:, [0, 3]].flatten()),
        ),
        out("t[every_row] fails: The shape of the mask [1, 4]"),
    ],
    "indexing-gather": [
        fact("picked.shape", [3, 1]),
        fact("picked.values", [[0.7], [0.5], [0.4]]),
        fact("same.shape", [3]),
        fact("same.values", [0.7, 0.5, 0.4]),
    ],
    "indexing-where": [
        fact("clipped.values", [0.0, 0.0, 0.0, 1.5, 3.0]),
        fact("signs.dtype", "torch.int64"),
        fact("signs.values", [-1, -1, 1, 1, 1]),
        fact("positive_at.values", [3, 4]),
        shares("clipped"),
    ],
}
