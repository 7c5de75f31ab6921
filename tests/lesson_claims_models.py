"""The facts each notice states, for modules, training, the case studies, project, pitfalls."""

from __future__ import annotations

import torch
from lesson_checks import (
    Claim,
    err,
    fact,
    flags,
    holds,
    lookup,
    out,
    param,
    raises,
    shares,
    stat,
    values,
)  # fmt: skip
from lesson_runs import Report, module


def state_keys(report: Report, name: str) -> list[str]:
    info = module(report, name)
    prefix = f"{name}."
    return [entry["name"].removeprefix(prefix) for entry in info["parameters"] + info["buffers"]]


MODELS: dict[str, list[Claim]] = {
    # --- modules ----------------------------------------------------------------------
    "modules-linear-layer": [
        fact("y_pred.shape", [4, 5]),
        param("model.weight.shape", [5, 10]),
        param("model.bias.shape", [5]),
        param("model.weight.requires_grad", True),
        out("torch.Size([4, 5]) torch.Size([5, 10]) torch.Size([5])\nTrue"),
    ],
    "modules-subclass": [
        out("(hidden): Linear(in_features=3, out_features=8, bias=True)"),
        out("(out): Linear(in_features=8, out_features=2, bias=True)"),
        out("torch.Size([4, 2]) True [torch.Size([4, 2])]"),
        holds(
            "the playground shows the layers' weights",
            lambda r: (
                {p["name"] for p in module(r, "model")["parameters"]}
                == {
                    "model.hidden.weight",
                    "model.hidden.bias",
                    "model.out.weight",
                    "model.out.bias",
                }
            ),
        ),
    ],
    "modules-activations-softmax": [
        fact("relu.values", [[0.0, 0.0, 0.0, 1.0, 3.0]]),
        out("True"),
        holds(
            "sigmoid in (0, 1)",
            lambda r: bool(((values(r, "sigmoid") > 0) & (values(r, "sigmoid") < 1)).all()),
        ),
        holds("tanh in (-1, 1)", lambda r: bool((values(r, "tanh").abs() < 1).all())),
        holds(
            "rows of probs sum to 1",
            lambda r: torch.allclose(
                values(r, "probs").sum(dim=1), torch.ones(2, dtype=torch.float64)
            ),
        ),
        fact(
            "probs.values", [torch.softmax(torch.tensor([2.0, 1.0, 0.1]), 0).tolist(), [1 / 3] * 3]
        ),
        holds(
            "dim=0 makes columns sum to 1",
            lambda r: torch.allclose(
                values(r, "wrong_dim").sum(dim=0), torch.ones(3, dtype=torch.float64)
            ),
        ),
        holds(
            "so its rows do not",
            lambda r: (
                not torch.allclose(
                    values(r, "wrong_dim").sum(dim=1), torch.ones(2, dtype=torch.float64)
                )
            ),
        ),
    ],
    "modules-parameters-vs-state-dict": [
        out("[(4, 3), (4,), (2, 4), (2,)] True"),
        out("['0.weight', '0.bias', '2.weight', '2.bias']"),
        fact("saved_weight.requires_grad", False),
        out("False True"),
    ],
    "modules-inspect-parameters": [
        out("0.weight (4, 3) True"),
        out("parameters: 26"),
        fact("first_weight.shape", [4, 3]),
    ],
    "modules-init-parameters": [
        param("model.0.bias.values", [0.0] * 4),
        param("model.2.weight.values", [[0.5] * 4] * 2),
        param("model.2.bias.values", [0.0, 0.0]),
    ],
    "modules-change-parameters": [
        out("tensor([[3.5000]]"),
        out("True"),
        param("model.weight.values", [[3.0, 4.0]]),
        param("model.bias.values", [0.0]),
    ],
    "modules-assign-tensor-to-parameter": [
        raises("cannot assign 'torch.FloatTensor' as parameter 'weight'"),
        param("model.weight.requires_grad", True),
    ],
    "modules-register-buffer": [
        out("['weight']\n['weight_epsilon']\n['weight', 'weight_epsilon']"),
        holds(
            "weight_epsilon is a buffer",
            lambda r: (
                [b["name"] for b in module(r, "model")["buffers"]] == ["model.weight_epsilon"]
            ),
        ),
        out("torch.float64 torch.float64 torch.float32"),
    ],
    "modules-freeze-layer": [
        param("model.0.weight.grad", False),
        param("model.2.weight.grad", True),
        param("model.0.weight.requires_grad", False),
        out("['2.weight', '2.bias']"),
    ],
    "modules-dropout-train-vs-eval": [
        holds(
            "train_out is 0s and 2s", lambda r: set(values(r, "train_out").tolist()) == {0.0, 2.0}
        ),
        fact("eval_out.values", [1.0] * 8),
        out("False"),
    ],
    "modules-batchnorm-train-vs-eval": [
        holds(
            "train columns have mean 0",
            lambda r: bool((values(r, "train_out").mean(dim=0).abs() < 1e-4).all()),
        ),
        holds(
            "running_mean moved 10% toward the batch mean",
            lambda r: torch.allclose(
                as_buffer(r, "bn.running_mean"), 0.1 * values(r, "x").mean(dim=0), atol=1e-4
            ),
        ),
        holds(
            "eval means far from 0",
            lambda r: bool((values(r, "eval_out").mean(dim=0).abs() > 2).all()),
        ),
        holds(
            "eval_out is not x", lambda r: not torch.allclose(values(r, "eval_out"), values(r, "x"))
        ),
        holds("bn is in eval mode", lambda r: module(r, "bn")["training"] is False),
        out("False"),
    ],
    "modules-no-grad-vs-eval": [
        out("False False\nTrue True"),
        fact("c.requires_grad", True),
        fact("e.requires_grad", False),
        holds("eval() turns dropout off", lambda r: torch.equal(values(r, "c"), values(r, "d"))),
    ],
    "modules-rnn-input-shape": [
        fact("out.shape", [5, 3, 4]),
        fact("h.shape", [1, 3, 4]),
        fact("c.shape", [1, 3, 4]),
        raises("input.size(-1) must be equal to input_size. Expected 2, got 3"),
    ],
    "modules-conv-input-shape": [
        fact("features.shape", [16, 8, 26, 26]),
        raises("expected input[16, 28, 28, 3] to have 3 channels, but got 28 channels instead"),
    ],
    "modules-save-load-state-dict": [
        out("True"),
        holds(
            "the keys include BatchNorm's buffers",
            lambda r: (
                state_keys(r, "restored")
                == [
                    "0.weight",
                    "0.bias",
                    "1.weight",
                    "1.bias",
                    "1.running_mean",
                    "1.running_var",
                    "1.num_batches_tracked",
                ]
            ),
        ),
    ],
    # --- training ---------------------------------------------------------------------
    "training-mse-loss": [
        fact("loss.values", 1.0192),
        holds(
            "equals the mean of squares",
            lambda r: torch.allclose(values(r, "loss"), values(r, "by_hand")),
        ),
        fact("loss.grad_fn", "MseLossBackward0"),
    ],
    "training-loss-target-shape": [
        err("Using a target size (torch.Size([4])) that is different to the input size"),
        holds(
            "wrong broadcasts to (4, 4)",
            lambda r: torch.allclose(
                values(r, "wrong"),
                ((values(r, "pred") - values(r, "target")) ** 2).mean(),
                atol=1e-5,
            ),
        ),
        holds(
            "right compares row by row",
            lambda r: torch.allclose(
                values(r, "right"),
                ((values(r, "pred") - values(r, "target")[:, None]) ** 2).mean(),
                atol=1e-5,
            ),
        ),
    ],
    "training-cross-entropy-shapes": [
        fact("labels.dtype", "torch.int64"),
        fact("logits.shape", [4, 3]),
        holds(
            "the mean of -log_softmax at the labels",
            lambda r: torch.allclose(
                values(r, "loss"),
                torch.nn.functional.cross_entropy(values(r, "logits"), values(r, "labels").long()),
                atol=1e-5,
            ),
        ),
        holds("by_hand agrees", lambda r: torch.allclose(values(r, "loss"), values(r, "by_hand"))),
    ],
    "training-bce-float-targets": [
        holds(
            "float targets work",
            lambda r: torch.allclose(
                values(r, "loss"),
                torch.nn.functional.binary_cross_entropy_with_logits(
                    values(r, "logits"), values(r, "labels")
                ),
                atol=1e-5,
            ),
        ),
        raises("result type Float can't be cast to the desired output type Long"),
    ],
    "training-sgd-step": [out("True\nNone"), param("model.weight.grad", False)],
    "training-weight-decay": [out("True"), param("model.bias.grad", True)],
    "training-l2-penalty": [out("True"), param("model.bias.grad", True)],
    "training-adam-adamw": [
        holds(
            "Adam moves 5.0 only to about 4.0", lambda r: 3.9 < float(values(r, "adam")[0]) < 4.1
        ),
        holds("and 0.5 past 0", lambda r: float(values(r, "adam")[1]) < 0),
        fact("adamw.values", (torch.tensor([5.0, 0.5]) * 0.999**10).tolist()),
        out("True"),
    ],
    "training-custom-dataset": [
        out("100 tensor("),
        out("True"),
        shares("far_away", "x", "features"),
    ],
    "training-dataloader": [out("25\ntorch.Size([4, 8])"), fact("batch_y.shape", [4])],
    "training-tensor-dataset": [out("True True"), fact("batch_x.shape", [4, 8])],
    "training-device": [out("cpu cpu cpu cpu"), fact("y_pred.device", "cpu")],
    "training-linear-regression": [
        holds(
            "least squares is about 40.5x + 16.1",
            lambda r: (
                abs(float(values(r, "best_w")) - 40.5) < 0.1
                and abs(float(values(r, "best_b")) - 16.1) < 0.1
            ),
        ),
        holds(
            "the weight ends near least squares, not 41.7",
            lambda r: (
                abs(learned(r, "weight") - float(values(r, "best_w")))
                < 1
                < abs(learned(r, "weight") - 41.7)
            ),
        ),
        holds(
            "the bias ends near least squares, not 14.5",
            lambda r: (
                abs(learned(r, "bias") - float(values(r, "best_b")))
                < 1
                < abs(learned(r, "bias") - 14.5)
            ),
        ),
        holds("it draws the figure", lambda r: len(r["figures"]) == 1),
    ],
    "training-classification-loop": [
        holds("the test accuracy ends above 0.9", lambda r: float(r["stdout"].split()[-1]) > 0.9),
        fact("test_logits.shape", [60, 3]),
        fact("test_logits.requires_grad", False),
        holds(
            "the model was evaluated in eval mode",
            lambda r: module(r, "model")["training"] is False,
        ),
    ],
    "training-checkpoint": [
        out("20 ['step', 'exp_avg', 'exp_avg_sq']"),
        out("True False"),
        holds(
            "resumed equals uninterrupted training",
            lambda r: param_values(r, "resumed.weight") == lookup(r, "straight_on.values"),
        ),
    ],
    # --- case studies -----------------------------------------------------------------
    "dtype-nan-double-vs-float": [
        fact("x.dtype", "torch.float64"),
        param("model.weight.dtype", "torch.float32"),
        raises("mat1 and mat2 must have the same dtype, but got Double and Float"),
    ],
    "dtype-nan-double-vs-float-fix": [
        fact("at_creation.dtype", "torch.float32"),
        fact("x.dtype", "torch.float64"),
        fact("out1.dtype", "torch.float32"),
        fact("out2.dtype", "torch.float32"),
        fact("out3.dtype", "torch.float64"),
    ],
    "dtype-nan-float-labels": [
        fact("soft_loss.shape", []),
        fact("probabilities.shape", [4, 3]),
        raises("expected target dtype to be Long"),
    ],
    "dtype-nan-long-labels": [
        out("torch.int64"),
        holds(
            "the loss is cross-entropy at the labels",
            lambda r: torch.allclose(
                values(r, "loss"),
                torch.nn.functional.cross_entropy(values(r, "logits"), values(r, "y").long()),
                atol=1e-5,
            ),
        ),
    ],
    "dtype-nan-nan-propagates": [
        stat("total.stats.nan", lambda n: n == 1, "the sum is NaN"),
        stat("average.stats.nan", lambda n: n == 1, "the mean is NaN"),
        out("tensor(nan) tensor(nan) tensor(False)"),
        fact("clean_total.values", 4.0),
        fact("missing.values", [False, True, False]),
        flags("nan"),
    ],
    "dtype-nan-lstm-nan-output": [
        fact("a.shape", [2, 1, 2]),
        stat("out.stats.nan", lambda n: n == 8, "out is all NaN"),
        stat("h.stats.nan", lambda n: n == 4, "h is all NaN"),
        stat("c.stats.nan", lambda n: n == 4, "c is all NaN"),
        fact("h.grad_fn", "StackBackward0"),
    ],
    "dtype-nan-lstm-nan-one-batch": [
        fact("x.shape", [2, 2, 2]),
        stat("h_first.stats.nan", lambda n: n == 4, "h_first is all NaN"),
        stat("h_second.stats.nan", lambda n: n == 0, "h_second is clean"),
    ],
    "dtype-nan-fill-and-mask": [
        stat("x_filled.stats.nan", lambda n: n == 0, "no NaN after filling"),
        stat("out.stats.nan", lambda n: n == 0, "the LSTM output is finite"),
        fact("observed.values", [[False, True], [False, True]]),
        stat("loss.stats.nan", lambda n: n == 0, "the loss is finite"),
        out("tensor(False)"),
        param("head.weight.grad", True),
    ],
    "project-classifier": [
        fact("x.shape", [400, 8]),
        fact("x.dtype", "torch.float32"),
        stat("x.stats.nan", lambda n: n == 0, "no NaN left"),
        fact("train_rows.shape", [320]),
        fact("test_rows.shape", [80]),
        holds(
            "accuracy above 0.9, the same after restoring",
            lambda r: _accuracies(r)[0] > 0.9 and _accuracies(r)[0] == _accuracies(r)[1],
        ),
        flags("nan"),
    ],
    # --- pitfalls ---------------------------------------------------------------------
    "pitfalls-assign-detach-attribute": [
        fact("x.values", [1.0] * 5),
        fact("x.grad.values", [5.0] * 5),
        out("x.detach() now fails: 'Tensor' object is not callable"),
    ],
    "pitfalls-assign-data": [
        fact("x.grad.values", [16.0] * 5),
        fact("x.grad.dtype", "torch.float64"),
        fact("x.dtype", "torch.float64"),
        holds("no error", lambda r: r["error"] is None),
    ],
    "pitfalls-data-inplace": [
        fact("x.grad.values", [20.0] * 3),
        holds("no error", lambda r: r["error"] is None),
        holds("PyTorch warns of nothing", lambda r: r["stderr"] == ""),
        flags("data_instead_of_detach"),
        holds("a no_grad update would raise instead", lambda r: _no_grad_update_raises()),
    ],
    "pitfalls-new-tensor": [
        fact("a.grad", None),
        fact("a.is_leaf", True),
        fact("x.grad.values", 2.0),
        err("it is recommended to use sourceTensor.detach().clone()"),
    ],
}


def as_buffer(report: Report, path: str) -> torch.Tensor:
    owner = path.split(".")[0]
    (entry,) = [b for b in module(report, owner)["buffers"] if b["name"] == path]
    return torch.tensor(entry["values"], dtype=torch.float64)


def param_values(report: Report, path: str) -> object:
    owner = path.split(".")[0]
    (entry,) = [p for p in module(report, owner)["parameters"] if p["name"] == path]
    return entry["values"]


def learned(report: Report, name: str) -> float:
    found = torch.tensor(param_values(report, f"model.{name}"), dtype=torch.float64)
    return float(found.flatten()[0])


def _accuracies(report: Report) -> tuple[float, float]:
    words = report["stdout"].replace(",", " ").split()
    return float(words[2]), float(words[-1])


def _no_grad_update_raises() -> bool:
    """The notice says an update under no_grad bumps the version counter: checked with torch."""
    x = torch.ones(3, requires_grad=True)
    y = x**2
    with torch.no_grad():
        x.mul_(10)
    try:
        y.sum().backward()
    except RuntimeError as error:
        return "modified by an inplace operation" in str(error)
    return False
