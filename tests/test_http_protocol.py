"""`tensor-playground serve` bounds what uvicorn leaves open: a request head must arrive
whole, within its deadline and size, and idle connections close."""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, start_server

HEAD_TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("protocol"), cli=True, header_timeout_s=HEAD_TIMEOUT_S,
        keepalive_s=1, max_runs=2,
    )  # fmt: skip
    yield server
    server.stop()


def connect(server: LiveServer) -> socket.socket:
    port = int(server.url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=15)


def closed_after(sock: socket.socket) -> tuple[float, bytes]:
    """Seconds until the server closes `sock`, and what it said before."""
    started, said = time.monotonic(), b""
    try:
        while chunk := sock.recv(65536):
            said += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return time.monotonic() - started, said


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET / HT", b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: appl"],
    ids=["nothing", "half a request line", "half the headers"],
)
def test_an_incomplete_head_is_cut_off_at_its_deadline(served: LiveServer, sent: bytes) -> None:
    with connect(served) as sock:
        sock.sendall(sent)
        seconds, said = closed_after(sock)
    assert seconds < HEAD_TIMEOUT_S + 5
    assert said == b"" if not sent else said.startswith(b"HTTP/1.1 408")


def test_headers_sent_a_byte_at_a_time_do_not_buy_time(served: LiveServer) -> None:
    with connect(served) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        try:
            for _ in range(40):
                sock.sendall(b"X")
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        seconds, _ = closed_after(sock)
    assert time.monotonic() - started - seconds < HEAD_TIMEOUT_S + 2


def test_an_idle_kept_alive_connection_is_closed(served: LiveServer) -> None:
    with connect(served) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        seconds, _ = closed_after(sock)
    assert seconds < 1 + 5


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GET /" + b"a" * 40_000, b"414"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000, b"431"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", b"431"),
    ],
    ids=["endless request line", "endless header", "huge head in one piece"],
)
def test_a_head_past_its_size_is_refused_in_the_one_shape(
    served: LiveServer, head: bytes, status: bytes
) -> None:
    with connect(served) as sock:
        sock.sendall(head)
        _, said = closed_after(sock)
    assert said.startswith(b"HTTP/1.1 " + status)
    assert b'{"error": "' in said and b"content-security-policy" in said.lower()


def test_a_normal_run_is_served_while_half_open_connections_wait(served: LiveServer) -> None:
    held = [connect(served) for _ in range(100)]
    try:
        for sock in held:
            sock.sendall(b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        report = served.post_run("y = torch.ones(3) * 2").json()
        assert report["ok"] is True
        assert time.monotonic() - started < 10  # generous: the figure is in bench/http_limits.py
    finally:
        for sock in held:
            sock.close()


@pytest.mark.slow
def test_running_out_of_descriptors_writes_a_bounded_log(tmp_path: Path) -> None:
    server = start_server(
        tmp_path, cli=True, max_runs=1, header_timeout_s=3,
        preexec=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256)),
    )  # fmt: skip
    before = server.log_path.stat().st_size
    held = []
    try:
        for _ in range(400):
            try:
                held.append(connect(server))
            except OSError:
                break
        time.sleep(2.5)
        grown = server.log_path.stat().st_size - before
        assert grown < 20_000, server.log_path.read_text()[-2000:]
        assert "accepting connections failed" in server.log_path.read_text()
    finally:
        for sock in held:
            sock.close()
    time.sleep(4)  # the server closed the idle ones at their head deadline, and recovered
    assert httpx.get(f"{server.url}/api/v1/health", timeout=10).status_code == 200
    server.stop()
