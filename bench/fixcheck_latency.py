"""What running the fix adds to an error's latency (issue 11, part 3).

Two real servers, one with `PLAYGROUND_FIX_CHECK=false`: the same failing snippet, whose
explanation is a concrete edit, is posted to `/api/v1/run` N times on each (sequentially, one
client); the difference is what the synchronous check costs the API. The page's path is timed
too: `POST /run` (htmx) is the first answer the student sees, `POST /fix-check` the second
request that brings the tick.

    .venv/bin/python bench/fixcheck_latency.py [--n 100]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import start_server

FAILING = (
    "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n"
    "images = torch.randn(64, 1, 28, 28)\n"
    "out = model(images)\n"
)
EDIT = {"line": 3, "kind": "replace", "text": "out = model(images.flatten(1))"}


def timed(send, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = send()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return samples


def row(label: str, samples: list[float], base: float | None = None) -> str:
    cut = statistics.quantiles(samples, n=10)
    p50 = statistics.median(samples)
    extra = " | " if base is None else f" | {p50 / base:.2f}x"
    return f"| {label} | {p50:.1f} | {cut[8]:.1f}{extra} |"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    n = parser.parse_args().n
    results = {}
    for name, check in (("without", "false"), ("with", "true")):
        process, url = start_server(f"fixcheck-{name}", rate_per_minute="0", fix_check=check)
        try:
            with httpx.Client(base_url=url, timeout=60) as client:
                api = lambda: client.post("/api/v1/run", json={"code": FAILING})  # noqa: E731
                timed(api, 5)  # warm the slots
                results[f"api {name}"] = timed(api, n)
                if check == "true":
                    body = client.post("/api/v1/run", json={"code": FAILING}).json()
                    assert body["error"]["explanation"]["fix_check"]["ran"] is True
                    headers = {"HX-Request": "true"}
                    form = {"code": FAILING, **EDIT}

                    def page(c=client, h=headers):
                        return c.post("/run", data={"code": FAILING}, headers=h)

                    def check_only(c=client, h=headers, f=form):
                        return c.post("/fix-check", data=f, headers=h)

                    results["page first answer"] = timed(page, n)
                    results["page fix check"] = timed(check_only, n)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    base = statistics.median(results["api without"])
    print(f"{n} sequential requests per row, the failing snippet of the module docstring\n")
    print("| path | p50 ms | p90 ms | vs no check |")
    print("|---|---|---|---|")
    print(row("API error run, fix check off", results["api without"], base))
    print(row("API error run, fix check on (synchronous)", results["api with"], base))
    print(row("page: first answer (POST /run, htmx)", results["page first answer"]))
    print(row("page: the check after it (POST /fix-check)", results["page fix check"]))
    added = statistics.median(results["api with"]) - base
    print(f"\nthe check adds {added:.1f} ms at p50 to an explained error on the API")
    return 0


if __name__ == "__main__":
    sys.exit(main())
