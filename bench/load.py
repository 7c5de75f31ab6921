"""A class of simulated students on one box: bounded, loopback only, stops by itself.

    .venv/bin/python bench/load.py [--students 100] [--seconds 60] [--classroom]

`--classroom` is the classroom mode (bench/classroom_load.py: submissions graded by the
server, pages and the teacher's dashboard polling, against plain runs of the same code).

Starts its own server (loopback, free port), then each student loops for `--seconds`:
pick a snippet from a realistic mix, POST it, think, repeat. One extra student spams Run
with no think time, to show the per-client rate limit keeps the class's latency intact.
Students are told apart by X-Forwarded-For (the server trusts it here, as behind a proxy).
Reports: answers by status (every request gets a report or a 429 with Retry-After: zero
dropped, zero 5xx), p50/p99 latency of the short snippets and of their stages (from each
report's `timings`; "outside the run" is the rest: HTTP, the web process, the client),
runs/s, and the memory of the server's whole process tree (PSS, so shared pages count once)
before, every 5 s, and after:
the first runs of each slot copy some pages (a step), a leak keeps growing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from pathlib import Path

import httpx
from server import start_server

ROOT = Path(__file__).resolve().parents[1]
# fmt: off
MIX = [  # (kind, weight, code, timeout_s)
    ("short", 70, "x = torch.arange(6.).reshape(2, 3)\ny = x.t()\nz = y.contiguous().view(-1)",
     None),
    ("short", 0, "a = torch.ones(2, 2, requires_grad=True)\nb = (a * 3).sum()\nb.backward()",
     None),
    ("training", 15,
     "import matplotlib.pyplot as plt\nX = torch.randn(64, 3)\ny = X @ torch.tensor([1., 2., 3.])\n"
     "model = nn.Linear(3, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\nlosses = []\n"
     "for _ in range(30):\n    loss = F.mse_loss(model(X).squeeze(1), y)\n    opt.zero_grad()\n"
     "    loss.backward()\n    opt.step()\n    losses.append(loss.item())\nplt.plot(losses)\n",
     None),
    ("error", 12, "a = torch.ones(2, 3, dtype=torch.float64)\nb = torch.ones(3, 2)\nc = a @ b",
     None),
    ("infinite", 3, "while True:\n    pass", 2.0),
]
# fmt: on


def pss_kib(root_pid: int) -> int:
    """Proportional set size of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


async def student(
    http: httpx.AsyncClient, url: str, n: int, until: float, spammer: bool, results: list[dict]
) -> None:
    rng = random.Random(n)
    kinds = [m for m in MIX if m[1]]
    weights = [m[1] for m in kinds]
    while time.monotonic() < until:
        kind, _, code, timeout_s = rng.choices(kinds, weights)[0]
        body: dict = {"code": code}
        if timeout_s:
            body["timeout_s"] = timeout_s
        started, sent = time.perf_counter(), time.monotonic()
        try:
            response = await http.post(
                f"{url}/api/v1/run",
                json=body,
                headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"},
            )
            status = response.status_code
            retry_after = response.headers.get("Retry-After")
            ended = time.perf_counter()
            stages = response.json().get("timings", {}) if status == 200 else {}
        except httpx.HTTPError as exc:
            status, retry_after, stages = f"dropped: {type(exc).__name__}", None, {}
            ended = time.perf_counter()
        results.append(
            {
                "kind": kind,
                "status": status,
                "spammer": spammer,
                "retry_after": retry_after,
                "ms": (ended - started) * 1000,
                "at": sent,
                "stages": stages,
            }
        )
        if not spammer:
            await asyncio.sleep(rng.uniform(2.0, 8.0))  # reading the result, editing


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


async def sample_memory(pid: int, seconds: float, samples: list[tuple[float, int]]) -> None:
    """PSS of the server's tree every few seconds: growth that does not level off is a leak."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        samples.append((round(time.monotonic() - started, 1), pss_kib(pid)))
        await asyncio.sleep(5)


async def main_async(
    args: argparse.Namespace, url: str, pid: int, memory: list[tuple[float, int]]
) -> list[dict]:
    results: list[dict] = []
    until = time.monotonic() + args.seconds
    # Idle connections are let go before the server's 5 s keep-alive ends them, as browsers
    # do: reusing one the server is closing at that moment loses the request.
    limits = httpx.Limits(max_connections=args.students + 2, keepalive_expiry=4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(
            *(student(http, url, n, until, False, results) for n in range(args.students)),
            student(http, url, 10_000, until, True, results),
            sample_memory(pid, args.seconds, memory),
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--classroom", action="store_true", help="the classroom mode")
    args = parser.parse_args()
    if args.classroom:
        import classroom_load

        classroom_load.main(args.students, args.seconds)
        return
    # the class profile (a server listening beyond loopback): 60 runs/min per client
    process, url = start_server("load-data", trust_forwarded_for="true", profile="class")
    try:
        httpx.post(f"{url}/api/v1/run", json={"code": "x = 1"}, timeout=60)
        before = pss_kib(process.pid)
        memory: list[tuple[float, int]] = []
        started = time.monotonic()
        results = asyncio.run(main_async(args, url, process.pid, memory))
        elapsed = time.monotonic() - started
        time.sleep(2)
        after = pss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(30)

    class_results = [r for r in results if not r["spammer"]]
    spam = [r for r in results if r["spammer"]]
    statuses = Counter(str(r["status"]) for r in class_results)
    short_ok = [r["ms"] for r in class_results if r["kind"] == "short" and r["status"] == 200]
    # Past the first 10 s: without the opening burst (every student presses Run at once and
    # the queue overflows), the steady state of a class.
    settled = min(r["at"] for r in results) + 10
    short_settled = [
        r["ms"]
        for r in class_results
        if r["kind"] == "short" and r["status"] == 200 and r["at"] > settled
    ]
    settled_stages: dict[str, list[float]] = {}
    for r in class_results:
        if r["kind"] == "short" and r["status"] == 200 and r["at"] > settled:
            outside = r["ms"] - sum(r["stages"].values())
            for name, ms in {**r["stages"], "outside the run": outside}.items():
                settled_stages.setdefault(name, []).append(ms)
    ran = sum(1 for r in results if r["status"] == 200)
    five_xx = sum(1 for r in results if isinstance(r["status"], int) and r["status"] >= 500)
    dropped = sum(1 for r in results if isinstance(r["status"], str))
    bad_429 = sum(1 for r in results if r["status"] == 429 and not r["retry_after"])
    summary = {
        "students": args.students,
        "seconds": round(elapsed, 1),
        "class_answers": dict(statuses),
        "spammer_answers": dict(Counter(str(r["status"]) for r in spam)),
        "runs_per_s": round(ran / elapsed, 1),
        "short_p50_ms": round(percentile(short_ok, 50), 1),
        "short_p99_ms": round(percentile(short_ok, 99), 1),
        "short_p99_ms_after_10s": round(percentile(short_settled, 99), 1),
        "short_stages_after_10s_p50_p99_ms": {
            name: [round(percentile(v, 50), 2), round(percentile(v, 99), 2)]
            for name, v in settled_stages.items()
        },
        "5xx": five_xx,
        "dropped": dropped,
        "429_without_retry_after": bad_429,
        "pss_before_mib": round(before / 1024, 1),
        "pss_after_mib": round(after / 1024, 1),
        "pss_during_mib": [(t, round(kib / 1024, 1)) for t, kib in memory],
    }
    print(json.dumps(summary, indent=1))
    out = ROOT / "artifacts" / "bench-load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    if five_xx or dropped or bad_429:
        raise SystemExit("FAILED: 5xx, dropped requests, or a 429 without Retry-After")


if __name__ == "__main__":
    main()
