"""What the module-call recorder costs a run (issue 11, part 2), in process.

The hooks are installed for the run only: a snippet without modules pays installing and
removing them, and a snippet that calls modules pays each call's hook path. Each row runs
the snippet N times bare and N times under `ModuleCallRecorder` and compares medians (a
ratio from the same run, as the README's figures are).

    .venv/bin/python bench/module_calls_overhead.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.inspect.module_calls import ModuleCallRecorder

SNIPPETS = {
    "no modules (tensor arithmetic)": "x = torch.randn(64, 64)\ny = (x @ x.T).relu().sum()",
    "an MLP forward (4 module calls)": ("y = mlp(torch.randn(32, 64))"),
    "a CNN training step (9 module calls)": (
        "opt.zero_grad()\nloss = F.cross_entropy(cnn(torch.randn(8, 1, 28, 28)), "
        "torch.randint(0, 10, (8,)))\nloss.backward()\nopt.step()"
    ),
    "a 12-layer Transformer encoder forward (110 calls)": "h = enc(torch.randn(4, 16, 32))",
}


def namespace(source: str) -> dict:
    """The pre-imported names and, of the models, only those the snippet uses."""
    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
    )  # fmt: skip
    layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True)
    models = {
        "cnn": cnn, "opt": torch.optim.SGD(cnn.parameters(), lr=0.1),
        "mlp": nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)),
        "enc": nn.TransformerEncoder(layer, 12, enable_nested_tensor=False),
    }  # fmt: skip
    used = {k: v for k, v in models.items() if k in source}
    return {"torch": torch, "nn": nn, "F": F, "np": np, **used}


def median_us(code, names, n: int, recorded: bool) -> float:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        if recorded:
            recorder = ModuleCallRecorder()
            with recorder:
                exec(code, names)
            recorder.to_json(names)
        else:
            exec(code, names)
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    torch.set_num_threads(1)
    print(f"median of {n} runs each, one thread\n")
    print("| snippet | bare µs | recorded µs | ratio |")
    print("|---|---|---|---|")
    for label, source in SNIPPETS.items():
        code = compile(source, "<snippet>", "exec")
        names = namespace(source)
        for recorded in (False, True):
            median_us(code, names, 20, recorded)  # warm
        bare, recorded = (median_us(code, names, n, r) for r in (False, True))
        print(f"| {label} | {bare:.0f} | {recorded:.0f} | {recorded / bare:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
