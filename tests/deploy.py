"""The deployment of the README, run for real: replicas started from `deploy/`'s systemd
unit and environment file, nginx from `deploy/nginx.conf`, so the tests start exactly what
the docs tell a teacher to start. Only the addresses, directories and database differ.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import PROJECT_ROOT, die_with_the_tests, free_port

DEPLOY = PROJECT_ROOT / "deploy"
UNIT = DEPLOY / "tensor-playground@.service"
ENV_FILE = DEPLOY / "playground.env"
NGINX_SITE = DEPLOY / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")
INSTALLED_BIN = "/opt/tensor-playground/.venv/bin/"


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))  # fmt: skip
    return {key.strip(): value.strip() for key, value in pairs}


def unit_service(instance: str) -> tuple[list[str], dict[str, str]]:
    """The unit's command line and environment for one instance, as systemd would build them."""
    argv: list[str] = []
    env: dict[str, str] = {}
    for line in UNIT.read_text().replace("%i", instance).splitlines():
        key, _, value = line.partition("=")
        if key == "EnvironmentFile":
            env.update(read_env_file(ENV_FILE))
        elif key == "Environment":
            name, _, setting = value.partition("=")
            env[name] = setting
        elif key == "ExecStart":
            argv = shlex.split(value)
    argv[0] = argv[0].replace(INSTALLED_BIN, str(Path(sys.executable).parent) + "/")
    return argv, env


@dataclass
class Replica:
    """One `tensor-playground@PORT` instance; `overrides` replace the env file's values."""

    root: Path
    overrides: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.root / f"replica-{self.port}-{self.starts}.log"

    def start(self) -> Replica:
        argv, env = unit_service(str(self.port))
        env = {**env, "PLAYGROUND_DATA_DIR": str(self.root / str(self.port)), **self.overrides}
        self.starts += 1
        self.process = subprocess.Popen(
            argv, env={"PATH": "/usr/bin:/bin", **env}, cwd=self.root,
            stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_the_tests,
        )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"replica exited:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.3)
        self.kill()
        raise RuntimeError(f"replica did not become healthy:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """A crash: SIGKILL to the whole replica, server and fork-server alike."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """What `systemctl stop` does: SIGTERM, then SIGKILL after the unit's timeout."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(45)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_lines(self) -> list[str]:
        return [line for path in sorted(self.root.glob(f"replica-{self.port}-*.log"))
                for line in path.read_text(errors="replace").splitlines()]  # fmt: skip


def site_config(listen_port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with this test's ports in place of the docs' 80, 8001, 8002, ..."""
    text = NGINX_SITE.read_text().replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    documented = re.findall(r"server 127\.0\.0\.1:(\d+)", text)
    assert len(documented) == len(upstreams), "the docs' upstream lists one server per replica"
    for old, new in zip(documented, upstreams, strict=True):
        text = text.replace(f"server 127.0.0.1:{old} ", f"server 127.0.0.1:{new} ")
    return text


class Nginx:
    """nginx from Debian with the docs' site inside a minimal main config, in a temp dir."""

    def __init__(self, upstreams: list[int]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tp-nginx-"))
        self.root.chmod(0o755)  # workers run as nobody and buffer bodies under it
        self.port = free_port()
        (self.root / "site.conf").write_text(site_config(self.port, upstreams))
        (self.root / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {self.root}/access.log;
    client_body_temp_path {self.root}/body;
    proxy_temp_path {self.root}/proxy;
    fastcgi_temp_path {self.root}/fastcgi;
    uwsgi_temp_path {self.root}/uwsgi;
    scgi_temp_path {self.root}/scgi;
    include {self.root}/site.conf;
}}
""")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def test_config(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([NGINX, "-t", "-p", self.root, "-c", self.root / "nginx.conf"],
                              capture_output=True, text=True, timeout=30)  # fmt: skip

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            [NGINX, "-p", self.root, "-c", self.root / "nginx.conf"],
            stdout=subprocess.DEVNULL, stderr=(self.root / "stderr.log").open("wb"),
            preexec_fn=die_with_the_tests,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.root / "stderr.log").read_text())
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"{self.url}/api/v1/health", timeout=2)
                return self
            time.sleep(0.2)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)
