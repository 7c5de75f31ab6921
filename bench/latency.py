"""End-to-end latency and throughput of POST /api/v1/run, against two baselines, in one run.

    .venv/bin/python bench/latency.py [--url http://127.0.0.1:8000] [--requests 200]

Without --url it starts its own server on a free loopback port. Baselines measured in the
same run, so the ratios hold on a noisy machine:
  * a warm Jupyter kernel (ipykernel over jupyter_client, torch imported), requests
    alternating with the server's: what a teacher would use instead (`pip install -e
    '.[bench]'`);
  * cold subprocess: `python -c "import torch; <snippet>"` per run (what a naive server does);
  * in-process exec: `exec` of the snippet in this process (the floor: no isolation at all).
Prints the table of stage medians (from each report's `timings`, as in the Server-Timing
header) and writes the figures to artifacts/bench-latency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import httpx
from server import start_server

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = "x = torch.randn(2, 3)\ny = x.t()\nz = y.contiguous().view(-1)"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples, 50),
        "p90": percentile(samples, 90),
        "p99": percentile(samples, 99),
        "n": len(samples),
    }


async def load(url: str, concurrency: int, total: int, trace: bool = True) -> dict[str, float]:
    """`total` runs from `concurrency` clients at once; latency and throughput."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            response = await http.post(f"{url}/api/v1/run", json={"code": SNIPPET, "trace": trace})
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 200 and response.json()["error"] is not None:
                statuses[-1] = statuses.get(-1, 0) + 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        **summary(latencies),
        "runs_per_s": total / elapsed,
        "ok": statuses.get(200, 0) - statuses.get(-1, 0),
        "status_429": statuses.get(429, 0),
        "errors": total - statuses.get(200, 0) - statuses.get(429, 0) + statuses.get(-1, 0),
    }


def cold_subprocess(runs: int) -> dict[str, float]:
    code = "import torch, numpy as np\nimport torch.nn as nn\n" + SNIPPET
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def in_process(runs: int) -> dict[str, float]:
    import torch

    compiled = compile(SNIPPET, "<snippet>", "exec")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        exec(compiled, {"torch": torch})
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def versus_jupyter(url: str, requests: int) -> dict[str, dict[str, float]]:
    """The server and a warm kernel, one request each in turn, and the server's stages."""
    from jupyter import JupyterKernel

    server: list[float] = []
    kernel: list[float] = []
    stages: dict[str, list[float]] = {}
    with JupyterKernel() as jupyter, httpx.Client(timeout=60) as http:
        for i in range(requests + 20):
            started = time.perf_counter()
            response = http.post(f"{url}/api/v1/run", json={"code": SNIPPET})
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            cell = jupyter.run(SNIPPET)
            if i >= 20:  # warm-up
                server.append(elapsed)
                kernel.append(cell)
                for name, ms in response.json()["timings"].items():
                    stages.setdefault(name, []).append(ms)
    return {
        "server": summary(server),
        "jupyter": summary(kernel),
        "stages": {name: percentile(values, 50) for name, values in stages.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=10)
    args = parser.parse_args()
    process = None
    url = args.url
    if url is None:
        process, url = start_server("bench-data", rate_per_minute="0")  # one client measuring
    try:
        asyncio.run(load(url, 4, 40))  # warm the pool and the connection path
        jupyter = versus_jupyter(url, args.requests)
        sequential = asyncio.run(load(url, 1, args.requests))
        untraced = asyncio.run(load(url, 1, args.requests, trace=False))
        throughput = {c: asyncio.run(load(url, c, args.requests)) for c in (1, 8, 32)}
    finally:
        if process is not None:
            process.terminate()
            process.wait(20)
    cold = cold_subprocess(args.cold_runs)
    floor = in_process(args.requests)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nmachine: {machine}; snippet: {SNIPPET!r}\n")
    print(f"{'path':<34}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'vs server p50':>15}")
    server_p50 = sequential["p50"]
    for label, row in (
        ("server, HTTP, concurrency 1", sequential),
        ("same, trace off", untraced),
        ("cold `python -c` subprocess", cold),
        ("in-process exec (floor)", floor),
    ):
        ratio = row["p50"] / server_p50
        print(f"{label:<34}{row['p50']:>9.3f}{row['p90']:>9.3f}{row['p99']:>9.3f}{ratio:>14.3f}x")
    versus = jupyter["server"]["p50"] / jupyter["jupyter"]["p50"]
    print(f"\nalternating with a warm Jupyter kernel ({args.requests} each):")
    for label in ("server", "jupyter"):
        row = jupyter[label]
        print(f"  {label:<10} p50 {row['p50']:.2f} ms, p90 {row['p90']:.2f} ms")
    print(f"  server / jupyter p50: {versus:.2f}x")
    print("\nstage medians of a run (ms), from its Server-Timing:")
    for name, ms in jupyter["stages"].items():
        print(f"  {name:<12}{ms:>8.3f}")
    header = ("concurrency", "runs/s", "p50 ms", "p99 ms", "ok", "429", "errors")
    print("\n{:<13}{:>9}{:>9}{:>9}{:>6}{:>6}{:>8}".format(*header))
    for c, row in throughput.items():
        print(
            f"{c:<13}{row['runs_per_s']:>9.1f}{row['p50']:>9.2f}{row['p99']:>9.2f}"
            f"{row['ok']:>6}{row['status_429']:>6}{row['errors']:>8}"
        )
    print(f"\ncold subprocess / server p50: {cold['p50'] / server_p50:.1f}x")
    print(f"trace on / trace off, end to end p50: {server_p50 / untraced['p50']:.2f}x")
    out = ROOT / "artifacts" / "bench-latency.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": machine,
                "snippet": SNIPPET,
                "server": sequential,
                "untraced": untraced,
                "cold": cold,
                "in_process": floor,
                "jupyter": jupyter,
                "throughput": {str(k): v for k, v in throughput.items()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
