"""Start a real server for a benchmark: loopback, a free port, its own data dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def start_server(
    name: str, root: Path = ROOT, **settings: str
) -> tuple[subprocess.Popen[bytes], str]:
    """`uvicorn app.main:app` of the tree at `root` (this one, or another checkout to
    compare with) with PLAYGROUND_* `settings`; returns once it is healthy."""
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
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
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
