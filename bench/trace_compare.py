"""This tree's LineTracer against another version of app/inspect/trace.py, in one process.

    git show main:app/inspect/trace.py > /tmp/trace_base.py
    .venv/bin/python bench/trace_compare.py /tmp/trace_base.py [--runs 400]

Runs bench/trace_overhead.py's snippets bare, under the baseline tracer and under this tree's,
interleaved so all three see the same caches and clock, and prints the medians, the ratios
and the ratio of the fastest runs (the floor, least disturbed by other load).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.inspect.pitfalls import BackwardMonitor
from app.inspect.trace import SNIPPET_FILENAME, LineTracer
from app.sandbox.runner import fresh_namespace
from bench.trace_overhead import SNIPPETS


def load_tracer(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("trace_base", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LineTracer


def timed(tracer: Any, code: Any, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        if tracer is None:
            exec(code, fresh_namespace())
        else:
            with BackwardMonitor(), tracer():
                exec(code, fresh_namespace())
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="another version of app/inspect/trace.py")
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    base = load_tracer(args.baseline)
    print(
        f"{'snippet':42} {'bare us':>8} {'base us':>8} {'this us':>8} {'base/bare':>9}"
        f" {'this/bare':>9} {'this/base':>9} {'floor':>6}"
    )
    for title, source in SNIPPETS.items():
        code = compile(source, SNIPPET_FILENAME, "exec")
        samples: dict[str, list[float]] = {"bare": [], "base": [], "this": []}
        for _ in range(20):
            for name, tracer in (("bare", None), ("base", base), ("this", LineTracer)):
                samples[name] += timed(tracer, code, max(1, args.runs // 20))
        bare, old, new = (statistics.median(samples[k]) * 1e6 for k in ("bare", "base", "this"))
        floor = min(samples["this"]) / min(samples["base"])
        print(
            f"{title:42} {bare:8.0f} {old:8.0f} {new:8.0f} {old / bare:9.2f} {new / bare:9.2f}"
            f" {new / old:9.2f} {floor:6.2f}"
        )


if __name__ == "__main__":
    main()
