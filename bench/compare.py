"""The same snippets against this tree's server and another checkout's, alternating, in one run.

    .venv/bin/python bench/compare.py --baseline /path/to/other/checkout [--requests 300]

For "this change costs at most +1 ms at p50": make the baseline with
`git worktree add /tmp/base <commit>`; both servers run with this tree's interpreter, one
request to each in turn, so machine noise falls on both alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import httpx
from latency import SNIPPET, percentile
from server import start_server

SNIPPETS = {
    "3-line snippet": SNIPPET,
    "error with explanation": "x = torch.randn(2, 3)\ny = x.t()\nz = y.view(-1)",
    "small training step": (
        "model = nn.Linear(3, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "loss = F.mse_loss(model(torch.randn(4, 3)), torch.randn(4, 1))\n"
        "loss.backward()\nopt.step()"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    servers = {
        "this tree": start_server("compare-this", rate_per_minute="0"),
        "baseline": start_server("compare-base", root=args.baseline, rate_per_minute="0"),
    }
    try:
        with httpx.Client(timeout=60) as http:
            print(f"{'snippet':<26}{'server':<12}{'p50 ms':>9}{'p90 ms':>9}{'mean':>9}")
            for label, code in SNIPPETS.items():
                samples: dict[str, list[float]] = {name: [] for name in servers}
                for i in range(args.requests + 20):
                    for name, (_, url) in servers.items():
                        started = time.perf_counter()
                        response = http.post(f"{url}/api/v1/run", json={"code": code})
                        elapsed = (time.perf_counter() - started) * 1000
                        response.raise_for_status()
                        if i >= 20:  # warm-up requests are not counted
                            samples[name].append(elapsed)
                for name, values in samples.items():
                    print(
                        f"{label:<26}{name:<12}{percentile(values, 50):>9.2f}"
                        f"{percentile(values, 90):>9.2f}{statistics.mean(values):>9.2f}"
                    )
                delta = percentile(samples["this tree"], 50) - percentile(samples["baseline"], 50)
                print(f"{'':<26}{'p50 delta':<12}{delta:>+9.2f}")
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(15)


if __name__ == "__main__":
    main()
