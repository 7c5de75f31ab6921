"""The app's life: it starts its fork-server, and a SIGTERM lets runs in flight finish and
leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from app.web.runtime import WEB_NICENESS
from tests.conftest import PROJECT_ROOT, start_server


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


@pytest.mark.slow
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


def access_lines(log: Path) -> list[dict]:
    """The JSON lines of the access log (the server's other lines are `LEVEL name: text`)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_every_request_is_logged_as_one_json_line_without_the_body(server) -> None:
    httpx.post(f"{server.url}/api/v1/run", json={"code": "secret_marker = 1"})
    run = [entry for entry in access_lines(server.log_path) if entry["path"] == "/api/v1/run"][-1]
    assert run["method"] == "POST" and run["status"] == 200 and run["client"] == "127.0.0.1"
    assert run["ms"] > 0
    assert "secret_marker" not in server.log_path.read_text()


@pytest.mark.parametrize("cli", [False, True], ids=["uvicorn app.main:app", "tensor-playground"])
def test_one_access_line_per_request_whatever_the_entry_point(tmp_path: Path, cli: bool) -> None:
    server = start_server(tmp_path, cli=cli)
    try:
        marker = f"/no-such-page-{uuid.uuid4().hex}"
        assert httpx.get(server.url + marker).status_code == 404
        time.sleep(0.2)
        mentions = [line for line in server.log_path.read_text().splitlines() if marker in line]
        assert len(mentions) == 1, mentions
        assert json.loads(mentions[0])["status"] == 404
    finally:
        server.stop()


def test_the_web_server_outranks_its_runs_which_start_at_nice_0(server, run_snippet) -> None:
    """Every answer passes through the event loop's thread: it must not wait behind the
    runs (app/web/runtime.py); the runs must not inherit its priority."""
    stat = Path(f"/proc/{server.process.pid}/stat").read_text()
    nice = int(stat.rsplit(")", 1)[1].split()[16])
    assert nice == (WEB_NICENESS if os.geteuid() == 0 else 0)
    report = run_snippet("import os\nprint(os.getpriority(os.PRIO_PROCESS, 0))")
    assert report["stdout"] == "0\n"


def test_importing_the_app_module_builds_nothing() -> None:
    env = {**os.environ, "PLAYGROUND_MAX_RUNS": "0"}  # invalid: reading it would fail
    probe = (
        "import sys, app.main\n"
        "assert app.main.app._app is None\n"
        "assert 'app.sandbox.forkserver' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_an_invalid_setting_is_one_clear_line_not_a_traceback() -> None:
    env = {**os.environ, "PLAYGROUND_MAX_RUNS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", "1"], env=env, cwd=PROJECT_ROOT,
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert b"PLAYGROUND_MAX_RUNS" in done.stderr and b"Traceback" not in done.stderr
