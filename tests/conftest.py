"""Shared fixtures: a real server (uvicorn + fork-server) on a free loopback port.

Tests talk to it over HTTP like any client would; nothing under test is mocked.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["tests.engines", "tests.classroom"]  # PostgreSQL, the classroom server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def post_run(self, code: str, **fields: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1/run", json={"code": code, **fields}, timeout=90)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def die_with_the_tests() -> None:
    """A server outlives nothing: if pytest is killed, its servers get SIGTERM."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def start_server(
    data_dir: Path,
    *,
    user: str | None = None,
    wrapper: list[str] | None = None,
    cli: bool = False,
    preexec: Callable[[], None] | None = None,
    args: tuple[str, ...] = (),
    **settings: object,
) -> LiveServer:
    """Start `uvicorn app.main:app` with PLAYGROUND_* settings and wait until healthy.

    `user` runs it as that (unprivileged) user; `wrapper` goes before the command. `cli`
    starts `tensor-playground serve` instead (with the HTTP limits of app.web.protocol);
    `preexec` runs in the server's process before it starts (to lower a limit); `args` go
    on its command line.
    """
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLAYGROUND_")}
    env.update({f"PLAYGROUND_{k.upper()}": str(v) for k, v in settings.items()})
    env["PLAYGROUND_DATA_DIR"] = str(data_dir)
    env.update(PLAYGROUND_HOST="127.0.0.1", PLAYGROUND_PORT=str(port))  # share links' address
    log_path = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(data_dir, user, user)
    entry = ["app", "serve"] if cli else ["uvicorn", "app.main:app"]

    def before_start() -> None:
        die_with_the_tests()
        if preexec is not None:
            preexec()

    process = subprocess.Popen(
        [
            *(wrapper or []),
            sys.executable,
            "-m",
            *entry,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=before_start,
        user=user,
        group=user,
        extra_groups=[] if user else None,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Every test talks from 127.0.0.1: one client, so the per-client limit is off here and
    # tested on a server of its own.
    live = start_server(tmp_path_factory.mktemp("server"), rate_per_minute=0)
    yield live
    live.stop()


HEALTHY_SNIPPET = "ok_after = torch.ones(2) * 2"


@pytest.fixture
def then_healthy(run_snippet: Callable[..., dict[str, Any]]) -> Iterator[None]:
    """For attack tests: after the attack, a normal run must still work."""
    yield
    report = run_snippet(HEALTHY_SNIPPET)
    assert report["error"] is None, report["error"]
    assert report["tensors"][0]["values"] == [2.0, 2.0]


@pytest.fixture(scope="session")
def run_snippet(server: LiveServer) -> Callable[..., dict[str, Any]]:
    """POST a snippet to the real server; return the report (asserting a 200)."""

    def run(code: str, **fields: Any) -> dict[str, Any]:
        response = server.post_run(code, **fields)
        assert response.status_code == 200, response.text
        return response.json()

    return run
