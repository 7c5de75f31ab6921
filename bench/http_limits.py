"""The HTTP layer's limits under attack, measured against real servers on loopback.

    .venv/bin/python bench/http_limits.py [--half-open 200] [--hold 10] [--idle 1000 1500]

1. Half-open requests: `--half-open` connections each send half a request head and hold it
   for `--hold` s, while one client runs a normal snippet every 0.25 s. Reported: run
   latency before (baseline, same run) and during, and when the server closed the
   half-open connections, for `tensor-playground serve` and for plain
   `uvicorn app.main:app` (which has no deadline for a head).
2. Descriptor exhaustion: the server runs under `ulimit -n 1024` (soft and hard), each
   `--idle` count of connections is opened and left idle for `--hold` + 5 s (1500 is past
   the limit: accept() fails with EMFILE); reported: how many the kernel let us open, how
   much the server's log grew, the accept-failure lines, and whether a run works after.

Writes artifacts/bench-http-limits.json. Bounded: every connection is closed at the end,
every server stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import statistics
import threading
import time

import httpx
from server import ROOT, start_server

SNIPPET = "x = torch.randn(2, 3)\ny = x.t().contiguous()"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def run_once(url: str) -> float:
    started = time.perf_counter()
    response = httpx.post(f"{url}/api/v1/run", json={"code": SNIPPET}, timeout=30)
    response.raise_for_status()
    return time.perf_counter() - started


def latencies(url: str, seconds: float) -> list[float]:
    found, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        found.append(run_once(url))
        time.sleep(0.25)
    return found


def describe(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def watch_closed(sock: socket.socket, opened: float, closed_at: list[float]) -> None:
    try:
        sock.settimeout(120)
        while sock.recv(4096):
            pass
    except OSError:
        pass
    closed_at.append(time.monotonic() - opened)


def half_open(url: str, count: int, hold_s: float) -> dict[str, object]:
    baseline = latencies(url, 3)
    opened, closed_at, held = time.monotonic(), [], []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port_of(url)))
        sock.sendall(b"POST /api/v1/run HTTP/1.1\r\nHost: bench\r\nContent-Type: appl")
        held.append(sock)
        threading.Thread(target=watch_closed, args=(sock, opened, closed_at), daemon=True).start()
    during = latencies(url, hold_s)
    still_open = count - len(closed_at)
    for sock in held:
        sock.close()
    return {
        "baseline": describe(baseline),
        "during": describe(during),
        "closed_by_server": len([t for t in closed_at if t <= hold_s + 0.5]),
        "closed_after_s": round(statistics.median(closed_at), 2) if closed_at else None,
        "still_open_after_hold": still_open,
    }


def idle_flood(count: int, hold_s: float) -> dict[str, object]:
    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    process, url = start_server("http-limits-fds", cli=True, preexec=low_limit)
    log = ROOT / "artifacts" / "http-limits-fds" / "server.log"
    before = log.stat().st_size
    held = []
    try:
        for _ in range(count):
            try:
                held.append(socket.create_connection(("127.0.0.1", port_of(url)), timeout=5))
            except OSError:
                break
        time.sleep(hold_s + 5)
        grown = log.stat().st_size - before
        for sock in held:
            sock.close()
        time.sleep(1)
        works = run_once(url)
        return {
            "connections_opened": len(held),
            "log_growth_bytes": grown,
            "accept_failures_logged": log.read_text().count("accepting connections failed"),
            "run_afterwards_ms": round(works * 1000, 1),
        }
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-open", type=int, default=200)
    parser.add_argument("--hold", type=float, default=10.0)
    parser.add_argument("--idle", type=int, nargs="+", default=[1000, 1500])
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this client holds them all
    results: dict[str, object] = {}
    for name, cli in (("tensor-playground serve", True), ("uvicorn app.main:app", False)):
        process, url = start_server(f"http-limits-{'cli' if cli else 'uvicorn'}", cli=cli)
        try:
            results[name] = half_open(url, args.half_open, args.hold)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        print(name, json.dumps(results[name]))
    for count in args.idle:
        name = f"{count} idle under ulimit -n 1024"
        results[name] = idle_flood(count, args.hold)
        print(name, json.dumps(results[name]))
    out = ROOT / "artifacts" / "bench-http-limits.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), **results}, indent=2))


if __name__ == "__main__":
    main()
