"""The same snippets against this tree's server and another checkout's, alternating, in one run.

    .venv/bin/python bench/compare.py --baseline /path/to/other/checkout [--requests 300]
        [--rounds 10 --concurrency 8]

Latency: one request to each server in turn. Throughput (`--rounds`): a burst of runs from
`--concurrency` clients at once to one server, then the same burst to the other, round after
round; the medians of runs/s and their ratio.

For "this change costs at most +1 ms at p50": make the baseline with
`git worktree add /tmp/base <commit>`; both servers run with this tree's interpreter, one
request to each in turn, so machine noise falls on both alike.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def burst(url: str, code: str, concurrency: int, runs: int) -> float:
    """Runs per second for `runs` runs sent by `concurrency` clients at once."""
    todo = iter(range(runs))

    async def client(http: httpx.AsyncClient) -> None:
        for _ in todo:
            response = await http.post(f"{url}/api/v1/run", json={"code": code})
            response.raise_for_status()

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return runs / (time.perf_counter() - started)


def throughput(servers: dict[str, str], rounds: int, concurrency: int) -> None:
    rates: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(rounds + 1):  # the first round warms both up and is not counted
        for name, url in servers.items():
            rates[name].append(asyncio.run(burst(url, SNIPPET, concurrency, concurrency * 6)))
    print(f"\nthroughput, 3-line snippet, concurrency {concurrency}, {rounds} rounds:")
    for name, values in rates.items():
        print(f"  {name:<12}{statistics.median(values[1:]):>8.1f} runs/s (median of rounds)")
    ratio = statistics.median(rates["this tree"][1:]) / statistics.median(rates["baseline"][1:])
    print(f"  this tree / baseline: {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=0, help="throughput rounds (0: none)")
    parser.add_argument("--concurrency", type=int, default=8)
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
        if args.rounds:
            urls = {name: url for name, (_, url) in servers.items()}
            throughput(urls, args.rounds, args.concurrency)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(15)


if __name__ == "__main__":
    main()
