"""A sandbox slot: a long-lived set of namespaces with a private root, serving one run at a
time.

    fork-server ──fork──> opener: new pid, net, mount, UTS, IPC namespaces (and a user
                          namespace when rootless)
                            └──fork──> keeper: pid 1 there; builds and pivots into the
                                       private root; never reads what a run wrote
                                         └──fork──> worker (one per run, runs the snippet)

Creating namespaces and a root costs milliseconds, so a slot does it once; each run then
costs one fork of the keeper, made *before* the run is requested. For every run the keeper
mounts a fresh tmpfs on /tmp and makes two anonymous capture files (memfds) for the worker's
fds 1 and 2; when the worker ends it kills everything left in the namespace, reaps it, and
hands the capture files, unread, to the fork-server. It touches no path a run controls and
keeps none of a run's data, so the next worker, forked from it, inherits nothing of the last.

The fork-server sends the keeper SIGUSR1 to end a run (over time, stopped, or done with its
report), and SIGUSR2 when a run has gone on for a while: the keeper then lowers its priority.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
from dataclasses import dataclass
from enum import StrEnum

from app.sandbox import cgroups, isolation, rootfs, watchdog
from app.sandbox.limits import LONG_RUN_NICENESS, WATCHDOG_INTERVAL_S, RunLimits
from app.sandbox.protocol import WORKER_SPAWN_FAILED, KeeperStarted, WorkerEnded, send
from app.sandbox.worker import serve_one_run

SLOT_NAMESPACES = (
    isolation.CLONE_NEWPID | isolation.CLONE_NEWNET | isolation.CLONE_NEWNS
    | isolation.CLONE_NEWUTS | isolation.CLONE_NEWIPC
)  # fmt: skip


class Mode(StrEnum):
    ROOT = "root"
    """Namespaces, a private root, a uid per slot, cgroups: the server runs as root."""
    ROOTLESS = "rootless"
    """The same inside a user namespace, under the server's own uid, for `make run` on a
    laptop; cgroups only where delegated, else the watchdog."""
    UNSANDBOXED = "unsandboxed"
    """No namespaces (the kernel refused them) and PLAYGROUND_ALLOW_UNSANDBOXED=1."""


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """What a slot needs to know, fixed when the fork-server starts."""

    limits: RunLimits
    base_virtual_bytes: int
    mode: Mode
    root_plan: rootfs.RootPlan | None
    seccomp_filter: bytes | None
    landlock_abi: int
    watchdog: bool
    """No cgroup bounds a run's memory: the keeper samples it instead."""


@dataclass(frozen=True, slots=True)
class SlotPlace:
    """Where one slot lives: its uid, the host dir its root is built on, its cgroup fds."""

    uid: int
    mount_point: str
    procs_fds: tuple[int, ...]
    home: str
    """A run's scratch dir as the run sees it (rootfs.py; a host dir when unsandboxed)."""


def open_slot(channel: socket.socket, place: SlotPlace, config: SandboxConfig) -> int:
    """Fork the slot's opener (returned pid); its keeper announces itself on `channel`."""
    pid = os.fork()
    if pid:
        return pid
    try:
        _opener(channel, place, config)
    except BaseException as exc:
        with contextlib.suppress(BaseException):  # to the server's log, for whoever runs it
            os.write(2, f"tensor-playground: a sandbox slot failed to open: {exc!r}\n".encode())
        os._exit(WORKER_SPAWN_FAILED)
    os._exit(WORKER_SPAWN_FAILED)


def _opener(channel: socket.socket, place: SlotPlace, config: SandboxConfig) -> None:
    isolation.die_with_parent()
    if config.mode is Mode.ROOT:
        isolation.unshare(SLOT_NAMESPACES)
    elif config.mode is Mode.ROOTLESS:
        isolation.enter_user_namespace(SLOT_NAMESPACES, place.uid)
    if config.mode is not Mode.UNSANDBOXED:
        isolation.set_hostname(rootfs.HOSTNAME)
    keeper = os.fork()
    if keeper == 0:
        try:
            _keeper(channel, place, config)
        except BaseException as exc:
            with contextlib.suppress(BaseException):
                os.write(2, f"tensor-playground: a slot's keeper failed: {exc!r}\n".encode())
            os._exit(WORKER_SPAWN_FAILED)
        os._exit(0)
    send(channel, KeeperStarted(pid=keeper))
    channel.close()
    isolation.close_inherited_fds(keep=set())
    _, status = os.waitpid(keeper, 0)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def _keeper(channel: socket.socket, place: SlotPlace, config: SandboxConfig) -> None:
    """The namespace's init: one worker per run, a clean namespace between runs."""
    isolation.die_with_parent()
    isolation.set_dumpable(False)
    if place.procs_fds:
        # Joined once, by the keeper: its workers are born in the slot's groups (moving a
        # process between v1 groups costs ~5 ms per controller).
        cgroups.join(list(place.procs_fds))
    if config.mode is Mode.UNSANDBOXED:
        isolation.become_subreaper()
    else:
        assert config.root_plan is not None
        rootfs.build(config.root_plan, place.mount_point, place.uid)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    current = {"worker": 0}
    signal.signal(signal.SIGUSR1, lambda signum, frame: _kill_the_run(current["worker"]))
    signal.signal(signal.SIGUSR2, lambda signum, frame: _lower_priority(current["worker"]))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    isolation.close_inherited_fds(keep={0, 1, 2, channel.fileno()})
    while True:
        _fresh_scratch(place, config)
        stdout, stderr = isolation.capture_file("stdout"), isolation.capture_file("stderr")
        worker = current["worker"] = os.fork()
        if worker == 0:
            serve_one_run(channel, (stdout, stderr), place, config)  # says WorkerReady itself
        status, memory_killed = _wait(worker, place.home, config)
        _kill_the_run(worker)
        _reap_all()
        exit_code, signum = (
            (os.WEXITSTATUS(status), None) if os.WIFEXITED(status)
            else (None, os.WTERMSIG(status))
        )  # fmt: skip
        ended = WorkerEnded(exit_code=exit_code, signal=signum, memory_killed=memory_killed)
        send(channel, ended, (stdout, stderr))
        os.close(stdout)
        os.close(stderr)


def _wait(worker: int, home: str, config: SandboxConfig) -> tuple[int, bool]:
    """The worker's wait status, and whether the watchdog killed the run for memory."""
    if not config.watchdog:
        return _waitpid(worker), False
    limit = config.limits.slot_memory_bytes
    pidfd = os.pidfd_open(worker)
    try:
        while True:
            ready, _, _ = select.select([pidfd], [], [], WATCHDOG_INTERVAL_S)
            if ready:
                return _waitpid(worker), False
            if watchdog.run_bytes(home, os.getpid()) > limit:
                _kill_the_run(worker)
                return _waitpid(worker), True
    finally:
        os.close(pidfd)


def _waitpid(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0


def _lower_priority(worker: int) -> None:
    """A run that is still going after a moment yields the CPU to short ones (nice 15);
    a run cannot leave its process group (seccomp denies setsid and setpgid)."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PGRP, worker, LONG_RUN_NICENESS)


def _kill_the_run(worker: int) -> None:
    """Kill every process of the run: as the namespace's pid 1, everything but us (the same
    call outside a namespace would reach the whole machine, so never there); unsandboxed,
    the worker's process group, which the run cannot leave."""
    if os.getpid() == 1:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
    elif worker > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker, signal.SIGKILL)


def _reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _fresh_scratch(place: SlotPlace, config: SandboxConfig) -> None:
    """A new, empty, size-capped tmpfs for the next run; the last run's files vanish."""
    if config.mode is Mode.UNSANDBOXED:
        shutil.rmtree(place.home, ignore_errors=True)
        os.makedirs(place.home, mode=0o700)
        if os.geteuid() == 0:
            os.chown(place.home, place.uid, place.uid)
        return
    with contextlib.suppress(OSError):
        isolation.umount(place.home)  # the last run's tmpfs, if any
    owner = f",uid={place.uid},gid={place.uid}"
    isolation.mount(
        "tmpfs", place.home, "tmpfs", isolation.MS_NOSUID | isolation.MS_NODEV,
        f"mode=0700,size={config.limits.scratch_bytes},nr_inodes=65536{owner}",
    )  # fmt: skip
