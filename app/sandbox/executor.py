"""The server's handle on the fork-server: start it, run snippets through it, restart it.

Runs on the server's event loop. Each run gets its own data socketpair; the fork-server
says when the run's last process is gone (`RunEnded`, on the events socket, by run id).
`run` returns as soon as the report is in and checked, with a future that completes when the
run has really ended: admission counts the run until then. Whatever the child does, `run`
returns a report or raises nothing but `ExecutorUnavailable` (the fork-server cannot start).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ExecutorUnavailable
from app.sandbox.limits import IDLE_WORKER_WAIT_S, READ_AFTER_END_S, START_TIMEOUT_S, RunLimits
from app.sandbox.output import read_captures
from app.sandbox.pool import IdleWorkers
from app.sandbox.protocol import (
    WORKER_SPAWN_FAILED,
    CancelRun,
    Configure,
    ForkServerReady,
    ForkServerRefused,
    IdleWorker,
    Message,
    ProtocolError,
    ReportReceived,
    RunEnded,
    StartRun,
    close_fds,
    receive,
    send,
)
from app.sandbox.report import Ending, ended_report
from app.sandbox.report_checks import checked_response, response_from, stage_timings
from app.schemas import RunResponse

log = logging.getLogger("tensor_playground.executor")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(slots=True)
class Run:
    """A run's report, and when it has ended: the report can come first (then the run
    has `REPORT_GRACE_S` left), or the end can (a run that died or overran)."""

    id: int
    response: RunResponse
    ended: asyncio.Future[None]


@dataclass(slots=True)
class _Pending:
    ended: asyncio.Future[tuple[Ending, list[int]]]
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the report is built: the capture fds may be closed from then on."""
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    started: bool = False
    """StartRun is sent: the fork-server knows the run, and can be told to cancel it."""
    cancelled: bool = False
    """Cancelled before it started (waiting for a worker): cancelled right after StartRun."""


class ForkServerExecutor:
    """Runs snippets in sandboxed children of one warm fork-server process."""

    def __init__(
        self,
        limits: RunLimits,
        slot_count: int,
        cache_dir: Path,
        hidden: list[Path],
        allow_unsandboxed: bool = False,
    ) -> None:
        self.limits = limits
        self.hidden = hidden
        self.slot_count = slot_count
        self.cache_dir = cache_dir
        self.allow_unsandboxed = allow_unsandboxed
        self.info: dict[str, Any] = {}
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._events: socket.socket | None = None
        self._pending: dict[int, _Pending] = {}
        self._idle = IdleWorkers()
        self._finishing: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._ready: asyncio.Future[ForkServerReady] | None = None
        self._start_lock = asyncio.Lock()
        self._stopping = False

    @property
    def alive(self) -> bool:
        """The fork-server is running and warm (not still importing torch)."""
        ready = self._ready
        return (
            self._process is not None
            and self._process.poll() is None
            and ready is not None
            and ready.done()
            and not ready.cancelled()
            and ready.exception() is None
        )

    @property
    def in_flight(self) -> int:
        """Runs the fork-server has not yet said ended."""
        return len(self._pending)

    async def start(self) -> None:
        """Start the fork-server, or wait for the start (or restart) already under way."""
        async with self._start_lock:
            if self.alive:
                return
            await self._spawn()

    async def _spawn(self) -> None:
        if self._process is not None:
            self.restarts += 1
            log.warning("restarting the fork-server")
        self._close()
        control_ours, control_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        events_ours, events_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        fds = (control_theirs.fileno(), events_theirs.fileno())
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.sandbox.forkserver",
             "--control-fd", str(fds[0]), "--events-fd", str(fds[1])],
            pass_fds=fds, env=env, cwd=str(PROJECT_ROOT), stdin=subprocess.DEVNULL,
        )  # fmt: skip
        control_theirs.close()
        events_theirs.close()
        configure = Configure(
            limits=self.limits.to_json(),
            slots=self.slot_count,
            hide=[str(path) for path in self.hidden],
            cache_dir=str(self.cache_dir),
            allow_unsandboxed=self.allow_unsandboxed,
        )
        send(control_ours, configure)
        events_ours.setblocking(False)
        self._control, self._events = control_ours, events_ours
        loop = asyncio.get_running_loop()
        self._ready = ready = loop.create_future()
        loop.add_reader(events_ours.fileno(), self._on_events, events_ours, ready)
        try:
            message = await asyncio.wait_for(asyncio.shield(ready), START_TIMEOUT_S)
        except (TimeoutError, ConnectionError) as exc:
            self._close()
            raise ExecutorUnavailable(f"the fork-server did not start: {exc}") from exc
        self.info = {"torch": message.torch, "python": message.python, **message.layers}
        log.info("fork-server ready: %s", self.info)

    def _on_events(self, events: socket.socket, ready: asyncio.Future) -> None:
        """Everything the fork-server sent since the last call (events is non-blocking)."""
        while True:
            try:
                message, fds = receive(events)
            except BlockingIOError:
                return
            except (OSError, ProtocolError) as exc:
                log.error("fork-server events channel broke: %s", exc)
                message, fds = None, []
            if message is None:
                self._lost(events, ready)
                return
            self._dispatch_event(message, fds, ready)

    def _dispatch_event(self, message: Message, fds: list[int], ready: asyncio.Future) -> None:
        if isinstance(message, ForkServerReady) and not ready.done():
            ready.set_result(message)
        elif isinstance(message, ForkServerRefused) and not ready.done():
            ready.set_exception(ExecutorUnavailable(message.reason))
        elif isinstance(message, IdleWorker) and len(fds) == 1:
            self._idle.add(message.worker, fds[0])
            return
        elif isinstance(message, RunEnded) and message.id in self._pending:
            ending = Ending(
                exit_code=message.exit_code, signal=message.signal,
                timed_out=message.timed_out, cancelled=message.cancelled,
                memory_killed=message.memory_killed, slot_lost=message.slot_lost,
            )  # fmt: skip
            pending = self._pending[message.id]
            if not pending.ended.done():
                pending.ended.set_result((ending, fds))
                return
        close_fds(fds)

    def _lost(self, events: socket.socket, ready: asyncio.Future) -> None:
        """The fork-server is gone: fail its runs, and bring it back unless we stopped it."""
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(events.fileno())
        if not ready.done():
            ready.set_exception(ConnectionError("the fork-server exited during warm-up"))
        self._fail_pending()
        if events is self._events and not self._stopping and ready.exception() is None:
            asyncio.get_running_loop().create_task(self._restart_after_death())

    async def _restart_after_death(self) -> None:
        for _ in range(200):
            if self._process is None or self._process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        with contextlib.suppress(ExecutorUnavailable):
            await self.start()

    def _fail_pending(self) -> None:
        lost = Ending(exit_code=None, signal=None, slot_lost=True)
        for pending in self._pending.values():
            if not pending.ended.done():
                pending.ended.set_result((lost, []))

    def new_run_id(self) -> int:
        return next(self._ids)

    async def run(
        self, request: dict[str, Any], timeout_s: float, run_id: int | None = None
    ) -> Run:
        """Run one snippet; every outcome of the child becomes a report."""
        if not self.alive:
            await self.start()
        started = time.monotonic()
        run_id = self.new_run_id() if run_id is None else run_id
        loop = asyncio.get_running_loop()
        pending = self._pending[run_id] = _Pending(loop.create_future())
        idle = await self._idle.take(IDLE_WORKER_WAIT_S)
        if idle is None:
            self._pending.pop(run_id, None)
            return Run(run_id, response_from(ended_report(
                Ending(exit_code=WORKER_SPAWN_FAILED, signal=None), "", "", False
            )), _done(loop))  # fmt: skip
        token, sock = idle
        marks = {"start": started, "worker": time.monotonic()}
        finish = loop.create_task(self._finish(run_id, pending, timeout_s))
        self._finishing.add(finish)
        finish.add_done_callback(self._finishing.discard)
        try:
            line = await self._exchange(
                sock, {**request, "timeout_s": timeout_s}, pending,
                then=lambda: self._start(run_id, token, timeout_s, pending),
                marks=marks,
            )  # fmt: skip
            if line is not None:
                self._tell(ReportReceived(id=run_id))
                response = checked_response(line, request["code"], self.limits)
            else:
                response = await self._ended_response(pending, timeout_s)
        except BaseException:
            self._tell(CancelRun(id=run_id))  # nobody waits for this run any more
            raise
        finally:
            sock.close()
            pending.answered.set()
        marks["checked"] = time.monotonic()
        response.wall_ms = round((marks["checked"] - started) * 1000, 3)
        response.timings = stage_timings(marks, response.stages)
        return Run(run_id, response, pending.done)

    def ended(self, run_id: int) -> asyncio.Future[None] | None:
        """Completes when run `run_id` has ended; None when it is not in flight."""
        pending = self._pending.get(run_id)
        return None if pending is None else pending.done

    def cancel(self, run_id: int) -> bool:
        """Kill a run now; False when it is not in flight."""
        pending = self._pending.get(run_id)
        if pending is None:
            return False
        if pending.started:
            self._tell(CancelRun(id=run_id))
        else:  # a CancelRun before its StartRun would find no run to kill
            pending.cancelled = True
        return True

    def _start(self, run_id: int, worker: int, timeout_s: float, pending: _Pending) -> None:
        self._tell(StartRun(id=run_id, worker=worker, timeout_s=timeout_s))
        pending.started = True
        if pending.cancelled:
            self._tell(CancelRun(id=run_id))

    async def _exchange(
        self,
        sock: socket.socket,
        request: dict[str, Any],
        pending: _Pending,
        then: Callable[[], None],
        marks: dict[str, float],
    ) -> bytes | None:
        """Write the request to the idle worker, call `then`, and read the report line,
        unless the run ends without one."""
        reader, writer = await asyncio.open_unix_connection(
            sock=sock, limit=self.limits.max_result_bytes + 1
        )
        try:
            writer.write(_request_line(request))
            marks["sent"] = time.monotonic()
            then()
            await writer.drain()
            read = asyncio.ensure_future(reader.readuntil(b"\n"))
            await asyncio.wait({read, pending.ended}, return_when=asyncio.FIRST_COMPLETED)
            if not read.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(read), READ_AFTER_END_S)
            if read.done() and not read.cancelled() and read.exception() is None:
                marks["line"] = time.monotonic()
                return read.result()
            read.cancel()
            with contextlib.suppress(BaseException):
                await read
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        return None

    async def _ended_response(self, pending: _Pending, timeout_s: float) -> RunResponse:
        """The report of a run that sent none: from its end and its captured output."""
        try:
            ending, fds = await asyncio.wait_for(
                asyncio.shield(pending.ended), self.limits.hard_deadline_s(timeout_s)
            )
        except TimeoutError:
            return response_from(ended_report(None, "", "", False))
        stdout = stderr = ""
        truncated = False
        if len(fds) == 2:
            stdout, stderr, truncated = read_captures(fds[0], fds[1], self.limits.max_output_bytes)
        return response_from(ended_report(ending, stdout, stderr, truncated))

    async def _finish(self, run_id: int, pending: _Pending, timeout_s: float) -> None:
        """Once the run has ended: close what it left and mark it done. A fork-server that
        never says so is wedged, and is restarted."""
        try:
            _, fds = await asyncio.wait_for(
                asyncio.shield(pending.ended), self.limits.hard_deadline_s(timeout_s)
            )
            await pending.answered.wait()
            close_fds(fds)
        except TimeoutError:
            log.error("run %s never ended: restarting the fork-server", run_id)
            if self._process is not None:
                self._process.kill()
            self._fail_pending()
        finally:
            self._pending.pop(run_id, None)
            if not pending.done.done():
                pending.done.set_result(None)

    def _tell(self, message: Message) -> None:
        with contextlib.suppress(OSError, AttributeError):
            assert self._control is not None
            send(self._control, message)

    async def stop(self) -> None:
        self._stopping = True
        process = self._process
        self._close()
        if process is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(process.wait), 5)
            except TimeoutError:
                process.kill()

    def _close(self) -> None:
        if self._events is not None:
            with contextlib.suppress(ValueError, OSError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self._events.fileno())
        for sock in (self._control, self._events):
            if sock is not None:
                sock.close()
        self._control = self._events = None
        self._idle.clear()
        self._fail_pending()


def _done(loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    future: asyncio.Future[None] = loop.create_future()
    future.set_result(None)
    return future


def _request_line(request: dict[str, Any]) -> bytes:
    return json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
