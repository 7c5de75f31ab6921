"""Start a real server for a benchmark: loopback, a free port, its own data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def start_server(
    name: str,
    root: Path = ROOT,
    *,
    cli: bool = False,
    preexec: Callable[[], None] | None = None,
    **settings: str,
) -> tuple[subprocess.Popen[bytes], str]:
    """`uvicorn app.main:app` (`cli`: `tensor-playground serve`) of the tree at `root` (this
    one, or another checkout to compare with) with PLAYGROUND_* `settings`; returns once it
    is healthy. `preexec` runs in the server process first (to lower a limit)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PLAYGROUND_DATA_DIR": str(ROOT / "artifacts" / name / "data"),
        **{f"PLAYGROUND_{key.upper()}": value for key, value in settings.items()},
    }
    data_dir = ROOT / "artifacts" / name
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "server.log").open("wb")  # the access log would drown the figures
    command = (
        ["app", "serve", "--port", str(port)] if cli
        else ["uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"]
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=root,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=preexec,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start")
