"""A sandbox slot: a long-lived pid/network/mount namespace that serves one run at a time.

    fork-server ──fork──> opener (unshare: pid, net, mount, uts, ipc; hide root's files)
                            └──fork──> keeper: pid 1 of the new pid namespace
                                         └──fork──> worker (one per run, runs the snippet)

Creating namespaces costs milliseconds, so a slot creates them once; each run then costs a
single fork of the keeper. Between runs the keeper, as the namespace's init, kills every
process left in it (fork bombs, daemons), reaps them, and replaces the run's tmpfs scratch
dir, so no state survives from one run to the next. The worker is forked *before* the run
is requested and waits, isolated, for its data socket.

The fork-server sends the keeper SIGUSR1 to kill a run that is over time, and SIGUSR2 when a
run has gone on for a while: the keeper then lowers its priority, so a class's short runs
overtake a student's long loop instead of queueing behind it.

Keeper -> fork-server messages on the slot's channel: {"op": "keeper", "pid"},
{"op": "ready"} (a worker waits), {"op": "exit", "exit_code", "signal", "stdout", ...}.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
from dataclasses import dataclass

from app.sandbox import isolation
from app.sandbox.limits import RunLimits
from app.sandbox.protocol import WORKER_SPAWN_FAILED, encode
from app.sandbox.worker import read_captured, serve_one_run

SLOT_NAMESPACES = (
    isolation.CLONE_NEWPID | isolation.CLONE_NEWNET | isolation.CLONE_NEWNS
    | isolation.CLONE_NEWUTS | isolation.CLONE_NEWIPC
)
EXIT_REPORT_OUTPUT = 32 * 1024
LONG_RUN_NICENESS = 15


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """What a slot needs to know, fixed when the fork-server starts."""

    limits: RunLimits
    base_virtual_bytes: int
    use_namespaces: bool
    drop_privileges: bool
    expose: dict[str, list[str]]
    seccomp_filter: bytes | None
    landlock_abi: int


def open_slot(channel: socket.socket, workdir: str, uid: int, config: SandboxConfig) -> int:
    """Fork the slot's opener (returned pid); its keeper announces itself on `channel`."""
    pid = os.fork()
    if pid:
        return pid
    try:
        _opener(channel, workdir, uid, config)
    except BaseException:
        os._exit(WORKER_SPAWN_FAILED)
    os._exit(WORKER_SPAWN_FAILED)


def _opener(channel: socket.socket, workdir: str, uid: int, config: SandboxConfig) -> None:
    isolation.die_with_parent()
    if config.use_namespaces:
        isolation.unshare(SLOT_NAMESPACES)
        if config.drop_privileges:
            isolation.expose_below_hidden(config.expose)
    keeper = os.fork()
    if keeper == 0:
        _keeper(channel, workdir, uid, config)
        os._exit(0)
    channel.sendall(encode({"op": "keeper", "pid": keeper}))
    channel.close()
    isolation.close_inherited_fds(keep=set())
    _, status = os.waitpid(keeper, 0)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def _keeper(channel: socket.socket, workdir: str, uid: int, config: SandboxConfig) -> None:
    """The namespace's init: one worker per run, a clean namespace between runs."""
    isolation.die_with_parent()
    if config.use_namespaces:
        isolation.mount_private_proc()
        os.makedirs(workdir, mode=0o700, exist_ok=True)  # /tmp is a fresh tmpfs in here
    current = {"worker": 0}
    signal.signal(signal.SIGUSR1, lambda signum, frame: _kill_the_run())
    signal.signal(signal.SIGUSR2, lambda signum, frame: _lower_priority(current["worker"]))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    isolation.close_inherited_fds(keep={0, 1, 2, channel.fileno()})
    scratch_bytes = 4 * config.limits.max_file_bytes
    while True:
        _fresh_scratch(workdir, uid, scratch_bytes, config)
        worker = current["worker"] = os.fork()
        if worker == 0:
            serve_one_run(channel, workdir, uid, config.limits, config.base_virtual_bytes,
                          drop_privileges=config.drop_privileges,
                          block_network=not config.use_namespaces,
                          seccomp_filter=config.seccomp_filter,
                          landlock_abi=config.landlock_abi)
        channel.sendall(encode({"op": "ready"}))
        status = _wait(worker)
        _kill_the_run()
        _reap_all()
        exit_code, signum = (
            (os.WEXITSTATUS(status), None) if os.WIFEXITED(status)
            else (None, os.WTERMSIG(status))
        )
        stdout, more_out = read_captured(workdir, "stdout", EXIT_REPORT_OUTPUT)
        stderr, more_err = read_captured(workdir, "stderr", EXIT_REPORT_OUTPUT)
        channel.sendall(encode({
            "op": "exit", "exit_code": exit_code, "signal": signum, "stdout": stdout,
            "stderr": stderr, "output_truncated": more_out or more_err,
        }))


def _wait(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0


def _lower_priority(worker: int) -> None:
    """A run that is still going after a moment yields the CPU to short ones (nice 15)."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PGRP, worker, LONG_RUN_NICENESS)


def _kill_the_run() -> None:
    """Kill every process in this pid namespace but us (only ever as its pid 1: the same
    call outside a namespace would reach the whole machine)."""
    if os.getpid() == 1:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)


def _reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _fresh_scratch(workdir: str, uid: int, size: int, config: SandboxConfig) -> None:
    """A new, empty, size-capped tmpfs for the next run; the last run's files vanish."""
    if not config.use_namespaces:  # no mount namespace (and no uid change): a plain dir
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir, mode=0o700)
        return
    with contextlib.suppress(OSError):
        isolation.umount(workdir)  # the last run's tmpfs, if any
    owner = f",uid={uid},gid={uid}" if config.drop_privileges else ""
    isolation.mount(
        "tmpfs", workdir, "tmpfs", isolation.MS_NOSUID | isolation.MS_NODEV,
        f"mode=0700,size={size},nr_inodes=65536{owner}",
    )
