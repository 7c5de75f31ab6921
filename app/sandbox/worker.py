"""The worker's side of a run: wall itself in, wait for a run, run it, report, exit.

A worker is forked by its slot's keeper (see slot.py) *before* any run is requested: it
applies every per-process wall first, in the order below, then blocks until the fork-server
hands it a data socket. The code arrives on that socket, straight from the server.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from app.outcome import Outcome
from app.sandbox import isolation, landlock, seccomp
from app.sandbox.limits import (
    MAX_REQUEST_BYTES,
    OVERSIZED_TEXT_BYTES,
    RunLimits,
    apply_cpu_limit,
    apply_rlimits,
)
from app.sandbox.output import cut_utf8
from app.sandbox.protocol import (
    REPORT_FAILED,
    WORKER_SPAWN_FAILED,
    StartWorker,
    WorkerReady,
    receive,
    send,
)
from app.sandbox.report import error_info, skeleton
from app.sandbox.warmup import prefault

if TYPE_CHECKING:
    from app.sandbox.slot import SandboxConfig, SlotPlace


def serve_one_run(
    channel: socket.socket,
    captures: tuple[int, int],
    place: SlotPlace,
    config: SandboxConfig,
) -> None:
    """Isolate, wait for a data socket, run the snippet sent on it, exit. Never returns."""
    from app.sandbox.slot import Mode

    try:
        if place.procs_fds:  # the OOM killer takes a run's process, never the keeper
            isolation.set_oom_score_adj(1000)  # (raising needs no privilege; lowering would)
        os.setsid()
        isolation.standard_fds(*captures)
        isolation.close_inherited_fds(keep={0, 1, 2, channel.fileno()})
        if config.mode is not Mode.UNSANDBOXED:
            isolation.unshare(isolation.CLONE_NEWIPC)  # SysV IPC objects die with the run
        if config.mode is Mode.ROOTLESS:
            isolation.drop_all_capabilities()
        elif os.geteuid() == 0:
            isolation.drop_privileges(place.uid)
        isolation.die_with_parent()  # after the uid change, which clears it
        isolation.set_dumpable(True)  # the keeper's watchdog reads this run's memory use
        os.chdir(place.home)
        isolation.scrub_environment(place.home)
        isolation.forbid_new_privileges()
        apply_rlimits(config.limits, config.base_virtual_bytes)
        if config.landlock_abi:
            landlock.restrict_writes_to(place.home, config.landlock_abi)
        if config.seccomp_filter is not None:
            seccomp.load_filter(config.seccomp_filter)
        prefault()  # walled in already: only our own code runs here
        send(channel, WorkerReady())
        message, fds = receive(channel)
    except BaseException:
        os._exit(WORKER_SPAWN_FAILED)
    if not isinstance(message, StartWorker) or len(fds) != 1:
        os._exit(0)  # the fork-server is shutting down
    channel.close()
    try:
        _serve(socket.socket(fileno=fds[0]), config.limits)
    except BaseException:
        os._exit(REPORT_FAILED)  # the snippet broke its channel, its fds, or our modules
    os._exit(0)


def _serve(data: socket.socket, limits: RunLimits) -> None:
    from app.sandbox.runner import run_snippet_here

    with data.makefile("rb") as incoming:
        line = incoming.readline(MAX_REQUEST_BYTES)  # an idle worker waits here
    if not line:
        os._exit(0)  # the server let this idle worker go
    received = time.monotonic()
    request = json.loads(line)
    timeout_s = float(request["timeout_s"])
    apply_cpu_limit(timeout_s)
    worker = os.getpid()
    report = run_snippet_here(
        request["code"],
        seed=request.get("seed"),
        trace=bool(request.get("trace", True)),
        lang=str(request.get("lang", "en")),
        timeout_s=timeout_s,
        limits=limits,
        output_fds={"stdout": 1, "stderr": 2},
        flush_c_streams=_flush_c_streams,
        grade=request.get("grade"),  # the classroom's graded runs (grade.py)
    )
    if os.getpid() != worker:
        os._exit(0)  # a process the snippet forked, finishing its copy: only we report
    report["stages"] = {**report.get("stages", {}), "received": received}
    report["stages"]["encoded"] = time.monotonic()  # stamped before the (short) encoding
    payload = encode_report(report)
    if len(payload) >= limits.max_result_bytes:
        payload = encode_report(oversized(report, len(payload)))
    data.sendall(payload + b"\n")
    data.shutdown(socket.SHUT_WR)


_libc_fflush = ctypes.CDLL(None).fflush


def _flush_c_streams() -> None:
    """What C code printed with stdio may still sit in libc's buffers: out with it."""
    _libc_fflush(None)


def encode_report(report: dict[str, Any]) -> bytes:
    """UTF-8 JSON; text a snippet made that UTF-8 cannot hold (a lone surrogate in a
    print or an exception message) becomes "?" rather than costing the whole report."""
    text = json.dumps(report, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8", "replace")


def oversized(report: dict[str, Any], size: int) -> dict[str, Any]:
    """The report of a run whose report itself was too large to send."""

    def head(text: str) -> str:
        return cut_utf8(text.encode("utf-8", "replace"), OVERSIZED_TEXT_BYTES).decode(
            "utf-8", "replace"
        )

    return skeleton(
        stdout=head(report["stdout"]),
        stderr=head(report["stderr"]),
        truncated=True,
        duration_ms=report["duration_ms"],
        error=error_info(
            Outcome.OUTPUT_LIMIT, f"The run's report was {size // 1024} KiB, over the limit."
        ),
    )
