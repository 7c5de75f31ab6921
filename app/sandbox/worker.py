"""The worker's side of a run: drop into the sandbox, wait for a run, run it, report, exit.

A worker is forked by its slot's keeper (see slot.py) *before* any run is requested: it
applies every per-process wall first, then blocks until the fork-server hands it a data
socket. The code arrives on that socket, straight from the server.
"""

from __future__ import annotations

import json
import os
import socket
import sys

from app.sandbox import isolation, landlock, seccomp
from app.sandbox.limits import RunLimits, apply_cpu_limit, apply_rlimits
from app.sandbox.protocol import REPORT_FAILED, WORKER_SPAWN_FAILED, receive_with_fd

RUN_NAMESPACES = isolation.CLONE_NEWIPC  # SysV IPC objects die with the run
MAX_REQUEST_BYTES = 4 * 1024 * 1024


def serve_one_run(
    channel: socket.socket,
    workdir: str,
    uid: int,
    limits: RunLimits,
    base_virtual_bytes: int,
    *,
    drop_privileges: bool,
    block_network: bool,
    seccomp_filter: bytes | None,
    landlock_abi: int,
) -> None:
    """Isolate, wait for a data socket, run the snippet sent on it, exit. Never returns."""
    try:
        os.setsid()
        isolation.close_inherited_fds(keep={0, 1, 2, channel.fileno()})
        if drop_privileges:
            isolation.unshare(RUN_NAMESPACES)
            isolation.drop_privileges(uid)
        isolation.die_with_parent()  # after the uid change, which clears it
        os.chdir(workdir)
        isolation.redirect_standard_fds(workdir)
        isolation.scrub_environment(workdir)
        if block_network:
            isolation.block_sockets()
        isolation.forbid_new_privileges()
        apply_rlimits(limits, base_virtual_bytes)
        if landlock_abi:
            landlock.restrict_writes_to(workdir, landlock_abi)
        if seccomp_filter is not None:
            seccomp.load_filter(seccomp_filter)
        message, fd = receive_with_fd(channel)
    except BaseException:
        os._exit(WORKER_SPAWN_FAILED)
    if message is None or fd is None:
        os._exit(0)  # the fork-server is shutting down
    channel.close()
    try:
        _serve(socket.socket(fileno=fd), workdir, limits)
    except BaseException:
        os._exit(REPORT_FAILED)  # the snippet broke its channel, its fds, or our modules
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
    payload = encode_report(report)
    if len(payload) >= limits.max_result_bytes:
        payload = encode_report(_oversized(report, len(payload)))
    data.sendall(payload + b"\n")
    data.shutdown(socket.SHUT_WR)


def encode_report(report: dict) -> bytes:
    """UTF-8 JSON; text a snippet made that UTF-8 cannot hold (a lone surrogate in a
    print or an exception message) becomes "?" rather than costing the whole report."""
    text = json.dumps(report, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8", "replace")


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
        room = max(0, limit - len(report[name].encode("utf-8", "replace")))
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

