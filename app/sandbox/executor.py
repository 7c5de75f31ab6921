"""The server's handle on the fork-server: start it, run snippets through it, restart it.

Runs on the server's event loop. Each run gets its own data socketpair; the fork-server
reports how the run's process ended on the shared events socket, matched by run id.
Whatever the child does, `run` returns a `RunResponse` or raises nothing but
`ExecutorUnavailable` (the fork-server cannot be started).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.errors import ExecutorUnavailable
from app.sandbox.limits import RunLimits
from app.sandbox.protocol import ChildExit, decode, encode, send_with_fd
from app.schemas import RunResponse

log = logging.getLogger("tensor_playground.executor")
START_TIMEOUT_S = 120.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ForkServerExecutor:
    """Runs snippets in sandboxed children of one warm fork-server process."""

    def __init__(
        self, limits: RunLimits, slot_count: int, cache_dir: Path, hidden: list[Path]
    ) -> None:
        self.limits = limits
        self.hidden = hidden
        self.slot_count = slot_count
        self.cache_dir = cache_dir
        self.info: dict[str, Any] = {}
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._events: socket.socket | None = None
        self._exits: dict[int, asyncio.Future[ChildExit]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[dict[str, Any]] | None = None
        self._start_lock = asyncio.Lock()
        self._stopping = False

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    async def start(self) -> None:
        async with self._start_lock:
            if self.alive and self._ready is not None and self._ready.done():
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
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app.sandbox.forkserver",
                "--control-fd",
                str(control_theirs.fileno()),
                "--events-fd",
                str(events_theirs.fileno()),
            ],
            pass_fds=(control_theirs.fileno(), events_theirs.fileno()),
            env=env,
            cwd=str(PROJECT_ROOT),
            stdin=subprocess.DEVNULL,
        )
        control_theirs.close()
        events_theirs.close()
        control_ours.sendall(
            encode(
                {
                    "op": "configure",
                    "limits": self.limits.to_json(),
                    "slots": self.slot_count,
                    "hide": [str(path) for path in self.hidden],
                    "cache_dir": str(self.cache_dir),
                }
            )
        )
        events_ours.setblocking(False)
        self._control, self._events = control_ours, events_ours
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._reader = asyncio.create_task(self._read_events(events_ours, self._ready))
        try:
            self.info = await asyncio.wait_for(asyncio.shield(self._ready), START_TIMEOUT_S)
        except (TimeoutError, ConnectionError) as exc:
            self._close()
            raise ExecutorUnavailable(f"the fork-server did not start: {exc}") from exc
        if not self.info.get("namespaces"):
            log.warning("namespaces unavailable: runs fall back to blocked sockets")
        log.info("fork-server ready: %s", self.info)

    async def _read_events(self, events: socket.socket, ready: asyncio.Future) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await loop.sock_recv(events, 256 * 1024)
                if not data:
                    break
                message = decode(data)
                if message.get("op") == "ready" and not ready.done():
                    ready.set_result(message)
                elif message.get("op") == "exit":
                    future = self._exits.pop(int(message["id"]), None)
                    if future is not None and not future.done():
                        future.set_result(ChildExit.from_message(message))
        except (OSError, ValueError) as exc:
            log.error("fork-server events channel broke: %s", exc)
        finally:
            if not ready.done():
                ready.set_exception(ConnectionError("the fork-server exited during warm-up"))
            self._fail_pending()
            if events is self._events and not self._stopping and ready.exception() is None:
                # It died under us (not closed by _close): bring it back before the next run.
                asyncio.get_running_loop().create_task(self._restart_after_death())

    async def _restart_after_death(self) -> None:
        for _ in range(200):
            if not self.alive:
                break
            await asyncio.sleep(0.01)
        with contextlib.suppress(ExecutorUnavailable):
            await self.start()

    def _fail_pending(self) -> None:
        lost = ChildExit(exit_code=None, signal=None, timed_out=False, lost=True)
        for future in self._exits.values():
            if not future.done():
                future.set_result(lost)
        self._exits.clear()

    async def run(self, request: dict[str, Any], timeout_s: float) -> RunResponse:
        """Run one snippet; every outcome of the child becomes a report."""
        if not self.alive:
            await self.start()
        started = time.perf_counter()
        run_id = next(self._ids)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        exit_future: asyncio.Future[ChildExit] = asyncio.get_running_loop().create_future()
        self._exits[run_id] = exit_future
        try:
            assert self._control is not None
            send_with_fd(
                self._control, {"op": "run", "id": run_id, "timeout_s": timeout_s},
                theirs.fileno(),
            )
        except OSError:
            self._exits.pop(run_id, None)
            ours.close()
            theirs.close()
            await self.start()  # it died before this run was handed over: safe to retry
            return await self.run(request, timeout_s)
        theirs.close()
        try:
            line, child_exit = await self._exchange(
                ours, {**request, "timeout_s": timeout_s}, exit_future, timeout_s
            )
        finally:
            ours.close()
            self._exits.pop(run_id, None)
        response = build_response(line, child_exit, self.limits)
        response.wall_ms = round((time.perf_counter() - started) * 1000, 3)
        return response

    async def _exchange(
        self,
        sock: socket.socket,
        request: dict[str, Any],
        exit_future: asyncio.Future[ChildExit],
        timeout_s: float,
    ) -> tuple[bytes | None, ChildExit | None]:
        """Send the request, read the report line, and learn how the child ended."""
        sock.setblocking(False)
        reader, writer = await asyncio.open_unix_connection(
            sock=sock, limit=self.limits.max_result_bytes + 1
        )
        hard_deadline = timeout_s + 10.0
        line: bytes | None = None
        try:
            writer.write(encode(request) + b"\n")
            await writer.drain()
            read = asyncio.ensure_future(reader.readuntil(b"\n"))
            done, _ = await asyncio.wait(
                {read, exit_future}, timeout=hard_deadline, return_when=asyncio.FIRST_COMPLETED
            )
            if read not in done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(read), 0.25)
            if read.done() and not read.cancelled() and read.exception() is None:
                line = read.result()
            else:
                read.cancel()
                with contextlib.suppress(BaseException):
                    await read
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        if line is not None:
            return line, None  # a complete report: how the process then exits does not matter
        try:
            child_exit = await asyncio.wait_for(asyncio.shield(exit_future), hard_deadline)
        except TimeoutError:
            child_exit = None
        return line, child_exit

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
        for sock in (self._control, self._events):
            if sock is not None:
                sock.close()
        self._control = self._events = None
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        self._fail_pending()


def build_response(line: bytes | None, child_exit: ChildExit | None, limits: RunLimits):
    """Trust nothing from the child beyond what validates as a report."""
    if line is not None:
        try:
            return RunResponse.model_validate_json(line)
        except ValidationError:
            kind, message = "SandboxViolation", "The run sent a malformed report."
            return limit_response(kind, message, child_exit)
    if child_exit is None:
        return limit_response(
            "TimeLimitExceeded", "The run did not finish and could not be stopped in time.", None
        )
    kind, message = child_exit.describe()
    return limit_response(kind, message, child_exit)


def limit_response(kind: str, message: str, child_exit: ChildExit | None) -> RunResponse:
    """A report for a run that left no valid report of its own."""
    return RunResponse(
        ok=False,
        stdout=child_exit.stdout if child_exit else "",
        stderr=child_exit.stderr if child_exit else "",
        truncated=bool(child_exit and child_exit.output_truncated),
        duration_ms=0.0,
        tensors=[],
        modules=[],
        graph={"nodes": [], "edges": []},
        figures=[],
        steps=[],
        warnings=[],
        error={
            "type": kind,
            "message": message,
            "line": None,
            "traceback": "",
            "explanation": None,
            "operands": [],
        },
    )
