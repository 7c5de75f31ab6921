"""The app's life: it starts its fork-server, and a SIGTERM lets runs in flight finish and
leaves no process behind."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from tests.conftest import start_server


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_sigterm_finishes_the_run_in_flight_then_leaves_nothing(tmp_path: Path) -> None:
    server = start_server(tmp_path, max_runs=1)
    tree = descendants(server.process.pid)
    assert len(tree) >= 3  # fork-server, and its slots' processes
    answers: list[int] = []
    run = threading.Thread(
        target=lambda: answers.append(server.post_run("import time\ntime.sleep(1.5)").status_code)
    )
    run.start()
    time.sleep(0.7)
    os.kill(server.process.pid, signal.SIGTERM)
    run.join(30)
    server.process.wait(30)
    assert answers == [200]
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in tree if alive(pid)]


def test_every_request_is_logged_as_one_json_line_without_the_body(server) -> None:
    import json

    import httpx

    httpx.post(f"{server.url}/api/v1/run", json={"code": "secret_marker = 1"})
    lines = [
        json.loads(line.split("tensor_playground.access: ", 1)[1])
        for line in server.log_path.read_text().splitlines()
        if "tensor_playground.access: " in line
    ]
    run = [entry for entry in lines if entry["path"] == "/api/v1/run"][-1]
    assert run["method"] == "POST" and run["status"] == 200 and run["client"] == "127.0.0.1"
    assert run["ms"] > 0
    assert "secret_marker" not in server.log_path.read_text()
