"""The warm parent: imports torch once, keeps isolated workers ready, ends every run.

Started by the server (`python -m app.sandbox.forkserver`) with a minimal environment; its
first control packet (`Configure`) brings the run limits, the slot count and the directories
to keep hidden. It holds no secrets a child could find in its memory, never reads a run's
code or output, and is single-threaded on purpose (forking a threaded process is a deadlock
lottery). Its loop hands each message to the `Supervisor` (supervisor.py), in messages of
protocol.py:

    a worker's WorkerReady -> a data socketpair: one end to it, the other to the server's
                              pool of idle workers (IdleWorker)
    StartRun               -> the run went to that worker: start its deadline
    ReportReceived         -> the run may end: kill it after REPORT_GRACE_S if it has not
    CancelRun              -> kill it now
    keeper's WorkerEnded   -> RunEnded (with the capture fds) to the server: the run is over
    deadline passed        -> SIGUSR1 to the keeper, which kills everything in its namespace
    a slot dies            -> RunEnded(slot_lost) for its run, if any; open a new slot

A run counts as in flight until its RunEnded: a run that keeps going after its report, or
forks daemons, holds its slot only until its grace or its deadline, never past.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import selectors
import signal
import socket
import sys

from app.sandbox import cgroups, isolation, landlock, probe, rootfs, seccomp
from app.sandbox.hugepages import collapse_written_memory
from app.sandbox.limits import (
    RunLimits,
    current_virtual_size,
)
from app.sandbox.protocol import (
    Configure,
    ForkServerReady,
    ForkServerRefused,
    ProtocolError,
    receive,
    send,
)
from app.sandbox.slot import Mode, SandboxConfig
from app.sandbox.supervisor import Supervisor
from app.sandbox.warmup import warm_up

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if not os.path.exists(os.path.join(PROJECT_ROOT, "pyproject.toml")):
    # installed (pip install .): hide the package, not the site-packages it lies in
    PROJECT_ROOT = os.path.join(PROJECT_ROOT, "app")


def serve(server: Supervisor, control: socket.socket) -> None:
    """The loop of the module docstring; returns when the server closes the control socket."""
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    server.selector.register(control, selectors.EVENT_READ, "control")
    server.selector.register(wakeup_read, selectors.EVENT_READ, "wakeup")
    server.refill()
    while True:
        for key, _ in server.selector.select(server.next_wakeup()):
            if key.data == "wakeup":
                os.read(wakeup_read, 4096)
            elif isinstance(key.data, tuple):
                server.on_oom(key.data[1])
            elif key.data == "control":
                try:
                    message, fds = receive(control)
                except ProtocolError:
                    continue
                if message is None:
                    return
                server.on_control(message, fds)
            else:
                server.on_slot_message(key.data)
        server.reap()
        server.enforce_deadlines()
        server.refill()


def configure(settings: Configure, mode: Mode) -> SandboxConfig:
    """The slots' configuration: everything measured here, once, before the first fork."""
    hidden = [PROJECT_ROOT, *settings.hide]
    sandboxed = mode is not Mode.UNSANDBOXED
    return SandboxConfig(
        limits=RunLimits.from_json(settings.limits),
        base_virtual_bytes=current_virtual_size(),
        mode=mode,
        root_plan=rootfs.plan(rootfs.runtime_paths(PROJECT_ROOT), hidden) if sandboxed else None,
        seccomp_filter=seccomp.build_filter() if seccomp.supported() else None,
        landlock_abi=landlock.abi_version(),
        watchdog=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tensor Playground fork-server")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--events-fd", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    os.setpriority(os.PRIO_PROCESS, 0, 0)  # not the web server's raised priority (runtime.py)
    isolation.die_with_parent()
    control = socket.socket(fileno=args.control_fd)
    events = socket.socket(fileno=args.events_fd)
    # The configuration comes as the first control packet, not on the command line, which
    # every slot's processes could read in /proc.
    settings, _ = receive(control)
    if not isinstance(settings, Configure):
        return 2
    mode, why = probe.choose_mode(settings.allow_unsandboxed)
    if mode is None:
        send(events, ForkServerRefused(reason=why))
        return 3
    os.environ["MPLCONFIGDIR"] = settings.cache_dir
    versions = warm_up()
    del os.environ["MPLCONFIGDIR"]
    config = configure(settings, mode)
    groups = None
    if mode is not Mode.UNSANDBOXED:
        groups = cgroups.probe(config.limits, f"tensor-playground-{os.getpid()}")
        if groups is not None:  # every run together weighs one process fewer than the cores
            groups.weigh_as(max(1, (os.cpu_count() or 2) - 1))
    config = dataclasses.replace(config, watchdog=groups is None)
    import gc

    gc.freeze()  # children share the warm heap instead of copying it on the first GC
    collapse_written_memory()  # before the first fork: a worker's fork and exit get cheap
    server = Supervisor(config, settings.slots, events, groups)
    layers = probe.layers(config, groups)
    if why:
        layers["notes"] = [why]
    server.send(ForkServerReady(pid=os.getpid(), mode=str(mode), layers=layers, **versions))
    try:
        serve(server, control)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
