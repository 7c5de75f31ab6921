"""The messages between the server, the fork-server, a slot's keeper and a run's worker.

Three kinds of channel, all local sockets carrying JSON (never pickle):

    server --control (SEQPACKET)--> fork-server     StartRun, ReportReceived, CancelRun;
                                                    first of all Configure
    server <--events (SEQPACKET)--- fork-server     ForkServerReady, IdleWorker (+ data fd),
                                                    RunEnded (+ output fds)
    fork-server <--slot (SEQPACKET)--> keeper       KeeperStarted, WorkerEnded (+ output
                                                    fds); the worker's own WorkerReady, and
                                                    StartWorker (+ data fd) to it
    server <--data (STREAM)--> worker               request line in, report line out

A worker that has walled itself in says WorkerReady; the fork-server makes a data socketpair,
gives the worker one end (StartWorker) and the server the other (IdleWorker). The server
keeps a pool of these: a run writes its request straight to an idle worker, which was
waiting on that very socket, and only then tells the fork-server (StartRun) which worker
took which run, so nothing but the request itself is on the run's path.

Each packet is one typed message: a frozen dataclass named after what it says, with an
`op` tag. `decode` refuses anything that is not exactly one known message with fields of
the declared types, so a broken or hostile peer is a `ProtocolError`, never a guess.
The server creates each run's data socketpair and passes one end along, so the code travels
straight to the worker; the fork-server and the keeper never read it, nor the run's output
(which they pass on as file descriptors).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from app.sandbox.limits import MAX_CONTROL_MESSAGE, MAX_FDS_PER_MESSAGE

WORKER_SPAWN_FAILED = 70
"""Exit status of a worker that could not build its walls (it never saw user code)."""
REPORT_FAILED = 71
"""Exit status of a worker whose run finished but whose report could not be sent."""


class ProtocolError(ValueError):
    """A packet that is not one well-formed message."""


@dataclass(frozen=True, slots=True)
class Message:
    op: ClassVar[str] = ""

    def encode(self) -> bytes:
        body = {"op": self.op, **dataclasses.asdict(self)}
        data = json.dumps(body, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        encoded = data.encode("utf-8")
        if len(encoded) > MAX_CONTROL_MESSAGE:
            raise ProtocolError(f"{self.op} message of {len(encoded)} bytes is over the cap")
        return encoded


# -- server -> fork-server -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Configure(Message):
    op: ClassVar[str] = "configure"
    limits: dict[str, int]
    slots: int
    hide: list[str]
    cache_dir: str
    allow_unsandboxed: bool = False


@dataclass(frozen=True, slots=True)
class StartRun(Message):
    """Run `id` went to the idle worker `worker` (an IdleWorker's token): start its clock."""

    op: ClassVar[str] = "start_run"
    id: int
    worker: int
    timeout_s: float


@dataclass(frozen=True, slots=True)
class ReportReceived(Message):
    """The run's report is in: it may now end, within `REPORT_GRACE_S`."""

    op: ClassVar[str] = "report_received"
    id: int


@dataclass(frozen=True, slots=True)
class CancelRun(Message):
    """Kill the run now (the student pressed Stop, or its client went away)."""

    op: ClassVar[str] = "cancel_run"
    id: int


# -- fork-server -> server -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForkServerReady(Message):
    op: ClassVar[str] = "ready"
    pid: int
    torch: str
    python: str
    mode: str
    layers: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IdleWorker(Message):
    """A walled-in worker waits on the data socket this carries as its fd."""

    op: ClassVar[str] = "idle_worker"
    worker: int


@dataclass(frozen=True, slots=True)
class ForkServerRefused(Message):
    """No sandbox can be built here (and running unsandboxed was not allowed)."""

    op: ClassVar[str] = "refused"
    reason: str


@dataclass(frozen=True, slots=True)
class RunEnded(Message):
    """The last process of run `id` is gone. Carries the run's stdout and stderr capture
    files as fds (absent when the slot died with them); the server reads them only when
    the run left no report of its own."""

    op: ClassVar[str] = "run_ended"
    id: int
    exit_code: int | None
    signal: int | None
    timed_out: bool = False
    cancelled: bool = False
    memory_killed: bool = False
    slot_lost: bool = False


# -- keeper <-> fork-server ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeeperStarted(Message):
    op: ClassVar[str] = "keeper_started"
    pid: int


@dataclass(frozen=True, slots=True)
class WorkerReady(Message):
    """From the worker itself, once walled in: give it its data socket."""

    op: ClassVar[str] = "worker_ready"


@dataclass(frozen=True, slots=True)
class WorkerEnded(Message):
    """The worker and everything it started are dead; carries the two capture fds."""

    op: ClassVar[str] = "worker_ended"
    exit_code: int | None
    signal: int | None
    memory_killed: bool = False


@dataclass(frozen=True, slots=True)
class StartWorker(Message):
    """To the ready worker; carries its end of the data socket as its fd."""

    op: ClassVar[str] = "start_worker"


_MESSAGES: dict[str, type[Message]] = {
    cls.op: cls
    for cls in (
        Configure, StartRun, ReportReceived, CancelRun, ForkServerReady, ForkServerRefused,
        IdleWorker, RunEnded,
        KeeperStarted, WorkerReady, WorkerEnded, StartWorker,
    )
}  # fmt: skip
_HINTS = {op: typing.get_type_hints(cls) for op, cls in _MESSAGES.items()}


def decode(data: bytes) -> Message:
    """The one message in `data`; `ProtocolError` for anything else."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("op"), str):
        raise ProtocolError("a message must be a JSON object with an op")
    op = body.pop("op")
    cls = _MESSAGES.get(op)
    if cls is None:
        raise ProtocolError(f"unknown op {op!r}")
    hints = _HINTS[op]
    names = {f.name for f in dataclasses.fields(cls)}
    if set(body) - names:
        raise ProtocolError(f"{op}: unexpected fields {sorted(set(body) - names)}")
    for f in dataclasses.fields(cls):
        if f.name not in body:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError(f"{op}: missing field {f.name!r}")
            continue
        if not _is_instance(body[f.name], hints[f.name]):
            raise ProtocolError(f"{op}: field {f.name!r} has the wrong type")
    return cls(**body)


def _is_instance(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_is_instance(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if origin is list:
        return isinstance(value, list)
    if origin is dict:
        return isinstance(value, dict)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def send(sock: socket.socket, message: Message, fds: list[int] | tuple[int, ...] = ()) -> None:
    """One packet: the message and, optionally, file descriptors (SCM_RIGHTS)."""
    if fds:
        socket.send_fds(sock, [message.encode()], list(fds))
    else:
        sock.sendall(message.encode())


def receive(sock: socket.socket) -> tuple[Message | None, list[int]]:
    """One packet and the fds that came with it; (None, []) when the peer has gone.

    The caller owns the fds; on a `ProtocolError` they are closed here.
    """
    data, fds, flags, _addr = socket.recv_fds(sock, MAX_CONTROL_MESSAGE + 1, MAX_FDS_PER_MESSAGE)
    if not data:
        close_fds(fds)
        return None, []
    if len(data) > MAX_CONTROL_MESSAGE or flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        close_fds(fds)
        raise ProtocolError("a packet over the size cap")
    try:
        return decode(data), fds
    except ProtocolError:
        close_fds(fds)
        raise


def close_fds(fds: list[int] | tuple[int, ...]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            socket.close(fd)
