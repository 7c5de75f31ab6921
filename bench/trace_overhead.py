"""How much the line tracer slows a snippet down: the bar is at most 2x on small snippets.

Runs each snippet N times bare and N times under `LineTracer` (plus `BackwardMonitor`, which is
on for every run too), in one process and interleaved so both see the same caches and clock,
and prints the median time per run, their ratio, and the ratio of the fastest runs (the floor,
less disturbed by other load on the machine).

    python bench/trace_overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.inspect.pitfalls import BackwardMonitor
from app.inspect.trace import SNIPPET_FILENAME, LineTracer
from app.sandbox.runner import fresh_namespace

SNIPPETS = {
    "tensor ops (3 lines)": """\
x = torch.arange(12.).reshape(3, 4)
y = x.t()
z = (y @ x).sum(dim=0)
""",
    "grad accumulation (seed)": """\
x = torch.tensor([10., 20., 30., 40.], requires_grad=True)
for _ in range(3):
    f = (x ** 2 + 20).mean()
    f.backward()
""",
    "gradient descent (20 iterations)": """\
X = torch.randn(32, 3)
true_w = torch.tensor([1., -2., 3.])
y = X @ true_w
w = torch.zeros(3, requires_grad=True)
lr = 0.1
for step in range(20):
    pred = X @ w
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        w.grad.zero_()
""",
    "nn.Linear + SGD (20 iterations)": """\
X = torch.randn(64, 4)
y = X @ torch.tensor([[1.], [-2.], [3.], [0.5]])
model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(20):
    loss = F.mse_loss(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
    "training loop in a function (20 batches)": """\
X = torch.randn(80, 4)
y = X @ torch.tensor([[1.], [-2.], [3.], [0.5]])
model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train_one_epoch():
    total = 0.0
    for start in range(0, 80, 4):
        xb, yb = X[start:start + 4], y[start:start + 4]
        loss = F.mse_loss(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total


losses = [train_one_epoch() for _ in range(1)]
""",
}


def run_bare(code: Any) -> None:
    exec(code, fresh_namespace())


def run_traced(code: Any) -> None:
    with BackwardMonitor(), LineTracer():
        exec(code, fresh_namespace())


def timings(runner: Callable[[Any], None], code: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        runner(code)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    torch.manual_seed(0)
    worst = 0.0
    print(f"{'snippet':34} {'bare (us)':>10} {'traced (us)':>12} {'ratio':>6} {'best-of':>8}")
    for title, source in SNIPPETS.items():
        code = compile(source, SNIPPET_FILENAME, "exec")
        for runner in (run_bare, run_traced):  # warm-up: first-call costs are not overhead
            runner(code)
        bare: list[float] = []
        traced: list[float] = []
        for _ in range(10):  # interleave, so drift in the machine's speed hits both sides
            bare += timings(run_bare, code, args.runs // 10)
            traced += timings(run_traced, code, args.runs // 10)
        bare_us = statistics.median(bare) * 1e6
        traced_us = statistics.median(traced) * 1e6
        ratio = traced_us / bare_us
        best_ratio = min(traced) / min(bare)  # the floor, free of a busy machine's noise
        worst = max(worst, ratio)
        print(f"{title:34} {bare_us:10.1f} {traced_us:12.1f} {ratio:6.2f} {best_ratio:8.2f}")
    print(f"worst median ratio {worst:.2f} (bar: <= 2.00)")


if __name__ == "__main__":
    main()
