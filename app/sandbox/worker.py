"""The child's side: become isolated, wait for a run, run it, report, exit.

`spawn_worker` forks twice. The first child (the *keeper*) moves into new pid, network,
IPC and UTS namespaces and forks the *worker*, which is pid 1 of its own pid namespace:
when the worker ends, the kernel kills everything it started (fork bombs, daemons), and
nothing it starts can see or signal other runs or the server. The keeper only waits and
relays the worker's end as its exit status; killing the keeper kills the worker
(PDEATHSIG), which tears the namespace down.

All of this happens *before* a run is requested: idle workers wait, isolated, for the
fork-server to hand them a data socket. The code arrives on that socket.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from dataclasses import dataclass

from app.sandbox import isolation
from app.sandbox.limits import RunLimits, apply_cpu_limit, apply_rlimits
from app.sandbox.protocol import WORKER_SPAWN_FAILED, receive_with_fd

NAMESPACES = (
    isolation.CLONE_NEWPID | isolation.CLONE_NEWNET | isolation.CLONE_NEWIPC
    | isolation.CLONE_NEWUTS
)
MAX_REQUEST_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """What a worker needs to know, fixed when the fork-server starts."""

    limits: RunLimits
    base_virtual_bytes: int
    use_namespaces: bool


def spawn_worker(channel: socket.socket, workdir: str, config: SandboxConfig) -> int:
    """Fork a keeper (returned pid) whose worker waits on `channel` for a run."""
    pid = os.fork()
    if pid:
        return pid
    try:
        _keeper(channel, workdir, config)
    except BaseException:
        os._exit(WORKER_SPAWN_FAILED)
    os._exit(WORKER_SPAWN_FAILED)


def _keeper(channel: socket.socket, workdir: str, config: SandboxConfig) -> None:
    isolation.die_with_parent()
    if config.use_namespaces:
        isolation.unshare(NAMESPACES)
    worker = os.fork()
    if worker == 0:
        _worker(channel, workdir, config)
    channel.close()
    isolation.close_inherited_fds(keep=set())

    def stop(signum: int, frame: object) -> None:
        _kill_quietly(worker)
        os._exit(128 + signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            _, status = os.waitpid(worker, 0)
            break
        except ChildProcessError:
            os._exit(WORKER_SPAWN_FAILED)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def _kill_quietly(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _worker(channel: socket.socket, workdir: str, config: SandboxConfig) -> None:
    """Isolate, wait for a data socket, run the snippet sent on it, exit. Never returns."""
    try:
        os.setsid()
        isolation.die_with_parent()
        os.chdir(workdir)
        isolation.redirect_standard_fds(workdir)
        isolation.close_inherited_fds(keep={0, 1, 2, channel.fileno()})
        isolation.scrub_environment(workdir)
        if not config.use_namespaces:
            isolation.block_sockets()
        isolation.forbid_new_privileges()
        apply_rlimits(config.limits, config.base_virtual_bytes)
        message, fd = receive_with_fd(channel)
    except BaseException:
        os._exit(WORKER_SPAWN_FAILED)
    if message is None or fd is None:
        os._exit(0)  # the fork-server is shutting down
    channel.close()
    data = socket.socket(fileno=fd)
    _serve(data, workdir, config.limits)
    os._exit(0)


def _serve(data: socket.socket, workdir: str, limits: RunLimits) -> None:
    from app.sandbox.runner import run_snippet_here

    with data.makefile("rb") as incoming:
        line = incoming.readline(MAX_REQUEST_BYTES)
    request = json.loads(line)
    timeout_s = float(request["timeout_s"])
    apply_cpu_limit(timeout_s)
    report = run_snippet_here(
        request["code"],
        seed=request.get("seed"),
        trace=bool(request.get("trace", True)),
        lang=str(request.get("lang", "en")),
        timeout_s=timeout_s,
        limits=limits,
    )
    attach_raw_output(report, workdir, limits.max_output_bytes)
    payload = json.dumps(report, separators=(",", ":"), allow_nan=False).encode()
    if len(payload) >= limits.max_result_bytes:
        payload = json.dumps(_oversized(report, len(payload))).encode()
    data.sendall(payload + b"\n")
    data.shutdown(socket.SHUT_WR)


def read_captured(workdir: str, name: str, limit: int) -> tuple[str, bool]:
    """The first `limit` bytes the process wrote to fd 1 or 2, and whether there was more."""
    path = os.path.join(workdir, f".{name}")
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError:
        return "", False
    return data[:limit].decode("utf-8", "replace"), len(data) > limit


def attach_raw_output(report: dict, workdir: str, limit: int) -> None:
    """Add what C code and subprocesses wrote straight to fds 1 and 2 (sys.stdout is
    captured in Python; this catches `os.write(1, ...)`, `os.system`, C extensions)."""
    sys.stdout.flush()
    for name in ("stdout", "stderr"):
        room = max(0, limit - len(report[name].encode()))
        raw, more = read_captured(workdir, name, room)
        if raw:
            report[name] += raw
        report["truncated"] = report["truncated"] or more


def _oversized(report: dict, size: int) -> dict:
    """The report of a run whose report itself was too large to send."""
    return {
        **report,
        "ok": False,
        "tensors": [],
        "modules": [],
        "graph": {"nodes": [], "edges": [], "truncated": True, "dot": ""},
        "figures": [],
        "steps": [],
        "steps_truncated": True,
        "stdout": report["stdout"][:4096],
        "stderr": report["stderr"][:4096],
        "truncated": True,
        "error": {
            "type": "OutputLimitExceeded",
            "message": f"The run's report was {size // 1024} KiB, over the limit.",
            "line": None,
            "traceback": "",
            "explanation": None,
            "operands": [],
        },
    }

