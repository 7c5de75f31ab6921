"""The warm parent: imports torch once, keeps isolated workers ready, enforces deadlines.

Started by the server (`python -m app.sandbox.forkserver`) with an empty environment and
only the run limits on its command line: it holds no secrets a child could find in memory.
It is single-threaded on purpose (forking a threaded process is a deadlock lottery) and
never runs user code itself. Its loop:

    control packet {"op": "run", "id", "timeout_s"} + data fd
        -> hand the fd to an idle worker, start that run's wall-clock deadline
    SIGCHLD -> reap the worker's keeper, send {"op": "exit", "id", ...} on the events socket
    deadline passed -> kill the run (its whole pid namespace goes with it)
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass

from app.sandbox import isolation
from app.sandbox.limits import RunLimits, current_virtual_size
from app.sandbox.protocol import (
    decode_wait_status,
    encode,
    receive_with_fd,
    send_with_fd,
)
from app.sandbox.worker import NAMESPACES, SandboxConfig, read_captured, spawn_worker

KILL_GRACE_S = 1.0
EXIT_REPORT_OUTPUT = 32 * 1024


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
    import torch._dynamo  # noqa: F401
    import torch.utils.data  # noqa: F401

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
            isolation.unshare(NAMESPACES)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


@dataclass(slots=True)
class Worker:
    keeper: int
    channel: socket.socket
    workdir: str
    run_id: int | None = None
    deadline: float | None = None
    timed_out: bool = False
    killed_at: float | None = None


class ForkServer:
    """Owns the idle pool and the running workers; see the module docstring."""

    def __init__(self, config: SandboxConfig, pool_size: int, events: socket.socket) -> None:
        self.config = config
        self.pool_size = pool_size
        self.events = events
        self.scratch = tempfile.mkdtemp(prefix="tensor-playground-")
        self.idle: collections.deque[Worker] = collections.deque()
        self.by_keeper: dict[int, Worker] = {}

    def spawn(self) -> Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        workdir = tempfile.mkdtemp(dir=self.scratch)
        keeper = spawn_worker(theirs, workdir, self.config)
        theirs.close()
        worker = Worker(keeper, ours, workdir)
        self.by_keeper[keeper] = worker
        return worker

    def refill(self) -> None:
        while len(self.idle) < self.pool_size:
            self.idle.append(self.spawn())

    def start_run(self, run_id: int, timeout_s: float, data_fd: int) -> None:
        try:
            while True:
                worker = self.idle.popleft() if self.idle else self.spawn()
                try:
                    send_with_fd(worker.channel, {"op": "run"}, data_fd)
                    break
                except OSError:
                    self._kill(worker)  # died while idle; reaped by the SIGCHLD path
        finally:
            os.close(data_fd)
        worker.run_id = run_id
        worker.deadline = time.monotonic() + timeout_s + KILL_GRACE_S

    def enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in list(self.by_keeper.values()):
            if worker.deadline is not None and now >= worker.deadline and not worker.timed_out:
                worker.timed_out = True
                worker.killed_at = now
                self._signal(worker.keeper, signal.SIGTERM)
            elif worker.killed_at is not None and now >= worker.killed_at + KILL_GRACE_S:
                self._kill(worker)

    def next_wakeup(self) -> float | None:
        times = [w.deadline for w in self.by_keeper.values() if w.deadline and not w.timed_out]
        times += [w.killed_at + KILL_GRACE_S for w in self.by_keeper.values() if w.killed_at]
        return max(0.0, min(times) - time.monotonic()) if times else None

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            worker = self.by_keeper.pop(pid, None)
            if worker is None:
                continue
            if worker in self.idle:
                self.idle.remove(worker)
            if worker.run_id is not None:
                self._report_exit(worker, status)
            worker.channel.close()
            shutil.rmtree(worker.workdir, ignore_errors=True)

    def _report_exit(self, worker: Worker, status: int) -> None:
        exit_code, signum = decode_wait_status(status)
        stdout, more_out = read_captured(worker.workdir, "stdout", EXIT_REPORT_OUTPUT)
        stderr, more_err = read_captured(worker.workdir, "stderr", EXIT_REPORT_OUTPUT)
        self.send(
            {
                "op": "exit",
                "id": worker.run_id,
                "exit_code": exit_code,
                "signal": signum,
                "timed_out": worker.timed_out,
                "stdout": stdout,
                "stderr": stderr,
                "output_truncated": more_out or more_err,
            }
        )

    def send(self, message: dict) -> None:
        self.events.sendall(encode(message))

    def shutdown(self) -> None:
        for worker in list(self.by_keeper.values()):
            self._kill(worker)
        deadline = time.monotonic() + 2
        while self.by_keeper and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.01)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _kill(self, worker: Worker) -> None:
        self._signal(worker.keeper, signal.SIGKILL)

    @staticmethod
    def _signal(pid: int, signum: int) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def serve(server: ForkServer, control: socket.socket) -> None:
    """The loop of the module docstring; returns when the server closes the control socket."""
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wakeup_read, selectors.EVENT_READ, "wakeup")
    server.refill()
    while True:
        for key, _ in selector.select(server.next_wakeup()):
            if key.data == "wakeup":
                os.read(wakeup_read, 4096)
                continue
            message, fd = receive_with_fd(control)
            if message is None:
                return
            if message.get("op") == "run" and fd is not None:
                server.start_run(int(message["id"]), float(message["timeout_s"]), fd)
            elif fd is not None:
                os.close(fd)
        server.reap()
        server.enforce_deadlines()
        server.refill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tensor Playground fork-server")
    parser.add_argument("--limits", required=True, help="RunLimits as JSON")
    parser.add_argument("--pool-size", type=int, default=2)
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--events-fd", type=int, required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    isolation.die_with_parent()
    control = socket.socket(fileno=args.control_fd)
    events = socket.socket(fileno=args.events_fd)
    versions = warm_up()
    use_namespaces = namespaces_available()
    config = SandboxConfig(
        limits=RunLimits.from_json(json.loads(args.limits)),
        base_virtual_bytes=current_virtual_size(),
        use_namespaces=use_namespaces,
    )
    import gc

    gc.freeze()  # children share the warm heap instead of copying it on the first GC
    server = ForkServer(config, args.pool_size, events)
    server.send({"op": "ready", "pid": os.getpid(), "namespaces": use_namespaces, **versions})
    try:
        serve(server, control)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
