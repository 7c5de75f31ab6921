"""The wire vocabulary: every message round-trips, and anything else is a ProtocolError."""

from __future__ import annotations

import json
import os
import socket

import pytest

from app.sandbox import protocol
from app.sandbox.protocol import (
    CancelRun,
    Configure,
    ProtocolError,
    RunEnded,
    StartRun,
    WorkerEnded,
    decode,
    receive,
    send,
)

EXAMPLES = [
    Configure(limits={"memory_bytes": 1}, slots=2, hide=["/p"], cache_dir="/c"),
    StartRun(id=7, worker=3, timeout_s=5.0),
    CancelRun(id=7),
    RunEnded(id=7, exit_code=None, signal=9, memory_killed=True),
    WorkerEnded(exit_code=0, signal=None),
]


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.op)
def test_each_message_round_trips(message: protocol.Message) -> None:
    assert decode(message.encode()) == message


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff", "not a JSON message"),
        (b"[1]", "JSON object with an op"),
        (b'{"op": "format_disk"}', "unknown op"),
        (b'{"op": "cancel_run"}', "missing field"),
        (b'{"op": "cancel_run", "id": "7"}', "wrong type"),
        (b'{"op": "cancel_run", "id": true}', "wrong type"),
        (b'{"op": "cancel_run", "id": 7, "then": "rm"}', "unexpected fields"),
        (b'{"op": "start_run", "id": 7, "worker": 1, "timeout_s": null}', "wrong type"),
    ],
)
def test_anything_else_is_a_protocol_error(data: bytes, problem: str) -> None:
    with pytest.raises(ProtocolError, match=problem):
        decode(data)


def test_a_message_carries_fds_and_the_receiver_owns_them() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    read, write = os.pipe()
    send(ours, WorkerEnded(exit_code=0, signal=None), (write,))
    message, fds = receive(theirs)
    assert isinstance(message, WorkerEnded) and len(fds) == 1
    os.write(fds[0], b"x")
    assert os.read(read, 1) == b"x"
    for fd in (read, write, *fds):
        os.close(fd)


def test_an_oversized_packet_is_refused_and_its_fds_closed() -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    ours.send(json.dumps({"op": "cancel_run", "id": 1, "x": "y" * 70_000}).encode())
    with pytest.raises(ProtocolError, match="size cap"):
        receive(theirs)


def test_a_message_is_never_larger_than_the_cap() -> None:
    with pytest.raises(ProtocolError, match="over the cap"):
        Configure(limits={}, slots=1, hide=["x" * 20_000], cache_dir="").encode()
