"""The messages between the server, the fork-server and a run's child.

Three channels, all local sockets carrying JSON (never pickle: a child is untrusted):

    server --control (SEQPACKET, one JSON message + one fd per packet)--> fork-server
    server <--events (SEQPACKET, one JSON message per packet)------------ fork-server
    server <--data (STREAM, request line in, report line out)-----------> child

The server creates each run's data socketpair and passes one end to the fork-server,
which hands it to an idle, already isolated child. So the code of a run travels straight
to the child, after its fork, and the fork-server never reads it.
"""

from __future__ import annotations

import json
import signal
import socket
from dataclasses import dataclass
from typing import Any

MAX_CONTROL_MESSAGE = 64 * 1024
WORKER_SPAWN_FAILED = 70
REPORT_FAILED = 71


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")


def decode(data: bytes) -> dict[str, Any]:
    message = json.loads(data.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("a protocol message must be a JSON object")
    return message


def send_with_fd(sock: socket.socket, message: dict[str, Any], fd: int) -> None:
    socket.send_fds(sock, [encode(message)], [fd])


def receive_with_fd(sock: socket.socket) -> tuple[dict[str, Any] | None, int | None]:
    """One packet and the fd that came with it; (None, None) when the peer has gone."""
    data, fds, _flags, _addr = socket.recv_fds(sock, MAX_CONTROL_MESSAGE, 4)
    if not data:
        for fd in fds:
            socket.close(fd)
        return None, None
    for extra in fds[1:]:
        socket.close(extra)
    return decode(data), (fds[0] if fds else None)


@dataclass(frozen=True, slots=True)
class ChildExit:
    """How a run's child ended, as the fork-server saw it."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    lost: bool = False  # the fork-server died while the run was in flight

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ChildExit:
        return cls(
            exit_code=message.get("exit_code"),
            signal=message.get("signal"),
            timed_out=bool(message.get("timed_out")),
            stdout=str(message.get("stdout", "")),
            stderr=str(message.get("stderr", "")),
            output_truncated=bool(message.get("output_truncated")),
        )

    def describe(self) -> tuple[str, str]:
        """The (error type, plain message) for a child that left no valid report."""
        if self.lost:
            return (
                "SandboxViolation",
                "The sandbox restarted while this run was in flight; run it again.",
            )
        if self.timed_out:
            return "TimeLimitExceeded", "The run exceeded its time limit and was stopped."
        if self.signal == signal.SIGKILL:
            return (
                "MemoryLimitExceeded",
                "The run was killed by the system, most likely for using too much memory.",
            )
        if self.signal == signal.SIGXCPU:
            return "TimeLimitExceeded", "The run used up its CPU time and was stopped."
        if self.signal == signal.SIGXFSZ:
            return "OutputLimitExceeded", "The run wrote a file larger than the limit."
        if self.signal is not None:
            name = signal.Signals(self.signal).name if self.signal in _SIGNALS else self.signal
            return (
                "SandboxViolation",
                f"The Python process running the snippet crashed ({name}).",
            )
        if self.exit_code == WORKER_SPAWN_FAILED:
            return "SandboxViolation", "The sandbox could not start this run."
        if self.exit_code == REPORT_FAILED:
            return (
                "SandboxViolation",
                "The run finished but its report could not be sent: the snippet closed or "
                "broke the sandbox's result channel (or the modules the report needs).",
            )
        return (
            "SandboxViolation",
            f"The run ended (exit status {self.exit_code}) without sending its report: "
            "it exited early or broke its result channel.",
        )


_SIGNALS = {s.value for s in signal.Signals}
