"""What the attack suite shares: reading a report's error, timing a run, finding processes.

Every attack in tests/attacks is bounded (in processes, bytes and seconds), talks only to
the 127.0.0.1 test servers, and never sends a machine-wide signal: CI runs as root.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import LiveServer

FORGED_REPORT = {
    "ok": True, "stdout": "forged", "stderr": "", "truncated": False, "duration_ms": 1.0,
    "tensors": [], "modules": [], "graph": {"nodes": [], "edges": []}, "figures": [],
    "steps": [], "warnings": [], "error": None,
}  # fmt: skip

SEND_REPORT = """\
import json, os, socket
def send_report(report):
    for fd in range(3, 64):
        try:
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        if s.type == socket.SOCK_STREAM:
            s.sendall(json.dumps(report).encode() + b"\\n")
            return
"""
"""Snippet prelude: `send_report(dict)` writes a report of the run's choosing."""


def forging(report: dict[str, Any], then: str = "os._exit(0)") -> str:
    """A snippet that sends `report` as its own, then does `then`."""
    return SEND_REPORT + f"send_report(json.loads({json.dumps(report)!r}))\n{then}\n"


def error_of(report: dict) -> tuple[str, str]:
    assert report["ok"] is False
    return report["error"]["type"], report["error"]["message"]


def timed(run, code: str, **fields: Any) -> tuple[dict, float]:
    started = time.monotonic()
    report = run(code, **fields)
    return report, time.monotonic() - started


def run_on(server: LiveServer, code: str, **fields: Any) -> dict:
    response = server.post_run(code, **fields)
    assert response.status_code == 200, response.text
    return response.json()


def health(server: LiveServer) -> dict[str, Any]:
    return httpx.get(f"{server.url}/api/v1/health", timeout=10).json()


def idle_within(server: LiveServer, seconds: float = 1.0) -> bool:
    """Whether health says no run is in flight within `seconds`: a run holds its place
    until its last process has ended, a moment after its report (the exit of its worker,
    at a slot's low weight between runs)."""
    deadline = time.monotonic() + seconds
    while health(server)["runs_in_flight"] != 0:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def comm_of(entry: Path) -> str | None:
    try:
        return (entry / "comm").read_text().strip() if entry.name.isdigit() else None
    except OSError:
        return None


def eventually_none_named(name: str, within_s: float = 3.0) -> bool:
    """The report comes back before the keeper sweeps its namespace; allow for that."""
    for _ in range(int(within_s / 0.05)):
        if not any(comm_of(entry) == name for entry in Path("/proc").iterdir()):
            return True
        time.sleep(0.05)
    return False


def forkserver_pid(server: LiveServer) -> int:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if b"app.sandbox.forkserver" in cmdline and f"PPid:\t{server.process.pid}\n" in status:
            return int(entry.name)
    raise AssertionError("no fork-server found")
