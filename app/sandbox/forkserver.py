"""The warm parent: imports torch once, keeps isolated workers ready, enforces deadlines.

Started by the server (`python -m app.sandbox.forkserver`) with a minimal environment
(PATH, thread counts, PYTHONPATH); its first control packet brings the run limits, the slot
count and the directories to hide. It holds no secrets a child could find in its memory.
It is single-threaded on purpose (forking a threaded process is a deadlock lottery) and
never runs user code itself. Its loop:

    control packet {"op": "run", "id", "timeout_s"} + data fd
        -> hand the fd to a ready slot's waiting worker, start the run's deadline
    slot says {"op": "exit", ...} -> forward it, with the run id, on the events socket
    deadline passed -> SIGUSR1 to the slot's keeper, which kills everything in its namespace
    a slot dies (SIGCHLD) -> report its run, if any, and open a new slot
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass

from app.sandbox import isolation, landlock, seccomp
from app.sandbox.limits import RunLimits, current_virtual_size
from app.sandbox.protocol import (
    MAX_CONTROL_MESSAGE,
    decode,
    encode,
    receive_with_fd,
    send_with_fd,
)
from app.sandbox.slot import SLOT_NAMESPACES, SandboxConfig, open_slot

KILL_GRACE_S = 1.0
WORLD_WRITABLE = (tempfile.gettempdir(), "/dev/shm", "/var/tmp", "/run/lock")
"""Covered by an empty tmpfs in every slot: no run leaves files there for the next one."""
LOW_PRIORITY_AFTER_S = 0.25  # runs longer than this yield the CPU to shorter ones
FIRST_UID = 200_000  # one uid per slot: runs cannot signal or count against each other
UID_COUNT = 4096


def warm_up() -> dict[str, str]:
    """Import and exercise everything a run may touch, single-threaded, before any fork.

    One thread *before* the first op: a warmed OpenMP pool hangs forked children. The
    first optimizer step lazily imports torch._dynamo (~1.5 s); pay it here, once.
    """
    import matplotlib

    matplotlib.use("Agg")
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    import matplotlib.pyplot as plt
    import numpy  # noqa: F401
    import torch._dynamo
    import torch.fx.experimental.symbolic_shapes  # the first backward(gradient) needs sympy
    import torch.utils.data

    from app.sandbox import runner

    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = torch.nn.functional.mse_loss(model(torch.randn(4, 3)), torch.randn(4, 1))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    report = runner.run_snippet_here(
        "x = torch.ones(2, 2, requires_grad=True)\ny = (x * 2).sum()\ny.backward()\n"
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nz = x.t().view(-1)\n",
        timeout_s=None,
    )
    assert report["error"] is not None, "warm-up snippet should raise at its last line"
    plt.close("all")
    return {"torch": torch.__version__, "python": sys.version.split()[0]}


def namespaces_available() -> bool:
    """Whether this kernel lets us unshare the namespaces a worker needs."""
    pid = os.fork()
    if pid == 0:
        try:
            isolation.unshare(SLOT_NAMESPACES)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def runtime_paths() -> list[str]:
    """Where the interpreter and its packages live: what a worker must still be able to read.

    The project's own directory is left out: everything of it a run needs is imported here,
    before any fork, and its source, database and config are none of a run's business.
    """
    project = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
    return [p for p in paths if p and os.path.realpath(p) != os.path.realpath(project)]


@dataclass(slots=True)
class Slot:
    """One sandbox slot (see slot.py) as the fork-server tracks it."""

    opener: int
    channel: socket.socket
    uid: int
    keeper: int | None = None
    ready: bool = False
    run_id: int | None = None
    started: float = 0.0
    lowered: bool = False
    deadline: float | None = None
    timed_out: bool = False
    killed_at: float | None = None


class ForkServer:
    """Dispatches runs to ready slots, enforces deadlines, replaces slots that die."""

    def __init__(self, config: SandboxConfig, slot_count: int, events: socket.socket) -> None:
        self.config = config
        self.slot_count = slot_count
        self.events = events
        self.scratch = tempfile.mkdtemp(prefix="tensor-playground-")
        os.chmod(self.scratch, 0o711)  # workers may enter their own dir, not list the others
        self.free_uids = collections.deque(range(FIRST_UID, FIRST_UID + UID_COUNT))
        self.slots: dict[int, Slot] = {}  # by opener pid
        self.waiting: collections.deque[tuple[int, float, int]] = collections.deque()
        self.selector = selectors.DefaultSelector()

    def open(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        uid = self.free_uids.popleft()
        workdir = os.path.join(self.scratch, str(uid))  # made by the slot's keeper
        opener = open_slot(theirs, workdir, uid, self.config)
        theirs.close()
        slot = Slot(opener, ours, uid)
        self.slots[opener] = slot
        self.selector.register(ours, selectors.EVENT_READ, slot)

    def refill(self) -> None:
        while len(self.slots) < self.slot_count:
            self.open()

    def request_run(self, run_id: int, timeout_s: float, data_fd: int) -> None:
        self.waiting.append((run_id, timeout_s, data_fd))
        self.dispatch()

    def dispatch(self) -> None:
        """Hand waiting runs to ready slots, oldest first."""
        while self.waiting:
            slot = next((s for s in self.slots.values() if s.ready), None)
            if slot is None:
                return
            run_id, timeout_s, data_fd = self.waiting.popleft()
            try:
                send_with_fd(slot.channel, {"op": "run"}, data_fd)
            except OSError:
                self.waiting.appendleft((run_id, timeout_s, data_fd))
                self._close_slot(slot)
                continue
            os.close(data_fd)
            slot.ready = False
            slot.run_id = run_id
            slot.started = time.monotonic()
            slot.lowered = False
            slot.deadline = slot.started + timeout_s + KILL_GRACE_S
            slot.timed_out = False

    def on_message(self, slot: Slot) -> None:
        try:
            data = slot.channel.recv(MAX_CONTROL_MESSAGE)
            message = decode(data) if data else None
        except (OSError, ValueError):
            message = None
        if message is None:
            self._close_slot(slot)
            return
        op = message.get("op")
        if op == "keeper":
            slot.keeper = int(message["pid"])
        elif op == "ready":
            slot.ready = True
        elif op == "exit" and slot.run_id is not None:
            self.send({**message, "id": slot.run_id, "timed_out": slot.timed_out})
            slot.run_id = slot.deadline = slot.killed_at = None

    def enforce_deadlines(self) -> None:
        now = time.monotonic()
        for slot in list(self.slots.values()):
            if slot.run_id is None or slot.deadline is None:
                continue
            if not slot.lowered and now >= slot.started + LOW_PRIORITY_AFTER_S:
                slot.lowered = True
                if slot.keeper is not None:
                    _signal(slot.keeper, signal.SIGUSR2)
            if now >= slot.deadline and not slot.timed_out:
                slot.timed_out = True
                slot.killed_at = now
                if slot.keeper is not None:
                    _signal(slot.keeper, signal.SIGUSR1)  # the keeper kills its namespace
            elif slot.killed_at is not None and now >= slot.killed_at + KILL_GRACE_S:
                self._close_slot(slot)  # the keeper did not answer: drop the whole slot

    def next_wakeup(self) -> float | None:
        times = [s.deadline for s in self.slots.values() if s.deadline and not s.timed_out]
        times += [
            s.started + LOW_PRIORITY_AFTER_S
            for s in self.slots.values()
            if s.run_id is not None and not s.lowered
        ]
        times += [s.killed_at + KILL_GRACE_S for s in self.slots.values() if s.killed_at]
        return max(0.0, min(times) - time.monotonic()) if times else None

    def reap(self) -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = self.slots.get(pid)
            if slot is not None:
                self._close_slot(slot)

    def _close_slot(self, slot: Slot) -> None:
        """Forget a slot (its processes die with the opener), reporting any run it held."""
        if self.slots.pop(slot.opener, None) is None:
            return
        _signal(slot.opener, signal.SIGKILL)
        self.selector.unregister(slot.channel)
        slot.channel.close()
        if slot.run_id is not None:
            self.send({
                "op": "exit", "id": slot.run_id, "exit_code": None,
                "signal": signal.SIGKILL, "timed_out": slot.timed_out,
            })
        self.free_uids.append(slot.uid)

    def send(self, message: dict) -> None:
        self.events.sendall(encode(message))

    def shutdown(self) -> None:
        for slot in list(self.slots.values()):
            _signal(slot.opener, signal.SIGKILL)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    time.sleep(0.01)
            except ChildProcessError:
                break
        shutil.rmtree(self.scratch, ignore_errors=True)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def serve(server: ForkServer, control: socket.socket) -> None:
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
            elif key.data == "control":
                message, fd = receive_with_fd(control)
                if message is None:
                    return
                if message.get("op") == "run" and fd is not None:
                    server.request_run(int(message["id"]), float(message["timeout_s"]), fd)
                elif fd is not None:
                    os.close(fd)
            else:
                server.on_message(key.data)
        server.reap()
        server.enforce_deadlines()
        server.refill()
        server.dispatch()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tensor Playground fork-server")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--events-fd", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    isolation.die_with_parent()
    control = socket.socket(fileno=args.control_fd)
    events = socket.socket(fileno=args.events_fd)
    # The configuration comes as the first control packet, not on the command line, which
    # every slot's pid 1 would show its runs in /proc/1/cmdline.
    settings, _ = receive_with_fd(control)
    if settings is None or settings.get("op") != "configure":
        return 2
    os.environ["MPLCONFIGDIR"] = settings["cache_dir"]
    versions = warm_up()
    del os.environ["MPLCONFIGDIR"]
    use_namespaces = namespaces_available()
    config = SandboxConfig(
        limits=RunLimits.from_json(settings["limits"]),
        base_virtual_bytes=current_virtual_size(),
        use_namespaces=use_namespaces,
        drop_privileges=use_namespaces and os.geteuid() == 0,
        expose=isolation.plan_hidden_paths(
            runtime_paths(), [*settings["hide"], *WORLD_WRITABLE]
        ),
        seccomp_filter=seccomp.build_filter() if seccomp.supported() else None,
        landlock_abi=landlock.abi_version(),
    )
    import gc

    gc.freeze()  # children share the warm heap instead of copying it on the first GC
    server = ForkServer(config, int(settings["slots"]), events)
    server.send(
        {
            "op": "ready",
            "pid": os.getpid(),
            "namespaces": use_namespaces,
            "uid_per_run": config.drop_privileges,
            "seccomp": config.seccomp_filter is not None,
            "landlock_abi": config.landlock_abi,
            **versions,
        }
    )
    try:
        serve(server, control)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
