"""Every request is bounded and checked before a route sees it, and every answer carries
the security headers: over HTTP, against a real server."""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.web.headers import CONTENT_SECURITY_POLICY
from tests.conftest import LiveServer, start_server

BODY_TIMEOUT_S = 1.5
MAX_BODY = 8192


HARD_FILES = resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def lower_soft_files_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(512, HARD_FILES), HARD_FILES))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path_factory.mktemp("guard"), body_timeout_s=BODY_TIMEOUT_S,
        max_body_bytes=MAX_BODY, max_code_bytes=1024, preexec=lower_soft_files_limit,
    )  # fmt: skip
    yield server
    server.stop()


def port_of(server: LiveServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def exchange(server: LiveServer, data: bytes, wait_s: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes or `wait_s` passes."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=wait_s) as s:
        s.sendall(data)
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


# ---- headers ---------------------------------------------------------------------------------

SECURITY = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def test_the_csp_is_exactly_the_one_the_issue_asks_for() -> None:
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/static/app.css", None),
        ("GET", "/api/v1/health", None),
        ("GET", "/no/such/page", None),
        ("GET", "/metrics", None),
        ("GET", "/docs", None),
        ("POST", "/api/v1/run", {"code": "x = 1"}),
        ("POST", "/api/v1/run", {"code": "x" * 5000}),
        ("PUT", "/api/v1/run", {"code": "x = 1"}),
    ],
)
def test_every_answer_carries_the_security_headers(
    guarded: LiveServer, method: str, path: str, body: object
) -> None:
    response = httpx.request(method, guarded.url + path, json=body, timeout=60)
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (path, name)


# ---- request line and headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "path", "status", "code"),
    [
        ({}, "/?q=" + "a" * 8200, 414, "uri_too_long"),
        ({"x-big": "a" * 17_000}, "/", 431, "headers_too_large"),
        ({f"x-h{i}": "1" for i in range(101)}, "/", 431, "headers_too_large"),
    ],
)
def test_oversized_request_lines_and_headers_are_refused(
    guarded: LiveServer, headers: dict[str, str], path: str, status: int, code: str
) -> None:
    response = httpx.get(guarded.url + path, headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.headers["connection"] == "close"


def test_requests_just_under_the_limits_pass(guarded: LiveServer) -> None:
    assert httpx.get(guarded.url + "/api/v1/health?q=" + "a" * 7000).status_code == 200
    many = {f"x-h{i}": "1" for i in range(90)}
    assert httpx.get(guarded.url + "/api/v1/health", headers=many).status_code == 200
    assert httpx.get(guarded.url + "/api/v1/health", headers={"x-big": "a" * 15_000}).is_success


# ---- bodies ----------------------------------------------------------------------------------


def test_a_huge_declared_body_is_refused_before_any_of_it_is_read(guarded: LiveServer) -> None:
    head = (
        b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )
    started = time.monotonic()
    answer = exchange(guarded, head)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error":"snippet_too_large"' in answer
    assert time.monotonic() - started < 4  # answered, and the connection closed, at once


def test_a_streamed_body_is_cut_off_at_the_cap(guarded: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 1 MiB if nobody stopped it
            yield b" " * 16384

    response = httpx.post(
        f"{guarded.url}/api/v1/run", content=chunks(),
        headers={"content-type": "application/json"}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"] == "snippet_too_large"


@pytest.mark.parametrize("path", ["/run", "/share", "/login"])
def test_page_forms_have_the_same_body_cap(guarded: LiveServer, path: str) -> None:
    response = httpx.post(guarded.url + path, data={"code": "x" * (2 * MAX_BODY)})
    assert response.status_code == 413


def test_a_body_that_never_finishes_times_out(guarded: LiveServer) -> None:
    head = (
        b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"code": '
    )
    started = time.monotonic()
    answer = exchange(guarded, head, wait_s=BODY_TIMEOUT_S + 10)
    assert answer.startswith(b"HTTP/1.1 408") and b"request_timeout" in answer
    assert BODY_TIMEOUT_S - 0.2 < time.monotonic() - started < BODY_TIMEOUT_S + 8


def test_the_open_files_soft_limit_is_raised_to_the_hard_limit(guarded: LiveServer) -> None:
    limits = Path(f"/proc/{guarded.process.pid}/limits").read_text()
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    assert line.split()[3:5] == [str(HARD_FILES), str(HARD_FILES)]  # started at 512


def test_the_server_still_runs_snippets_after_all_that(guarded: LiveServer) -> None:
    assert guarded.post_run("x = 1").json()["ok"] is True


# ---- media types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/x-www-form-urlencoded", 415),
        ("text/plain", 415),
        ("multipart/form-data; boundary=x", 415),
        (None, 415),
        ("application/json", 200),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
    ],
)
def test_the_json_api_takes_json_bodies_only(
    guarded: LiveServer, content_type: str | None, status: int
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = httpx.post(
        f"{guarded.url}/api/v1/run", content=b'{"code": "x = 1"}', headers=headers, timeout=60
    )
    assert response.status_code == status, response.text
    if status == 415:
        assert response.json()["error"] == "unsupported_media_type"


# ---- cross-site requests ---------------------------------------------------------------------

CROSS_SITE = [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "SELF"},
]


@pytest.mark.parametrize("path", ["/run", "/share", "/prefs", "/login", "/logout", "/future"])
@pytest.mark.parametrize("headers", CROSS_SITE, ids=str)
def test_state_changing_requests_from_other_sites_are_refused(
    guarded: LiveServer, path: str, headers: dict[str, str]
) -> None:
    headers = {k: guarded.url if v == "SELF" else v for k, v in headers.items()}
    response = httpx.post(guarded.url + path, data={"code": "x = 1"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "cross_site_request"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"Origin": "SELF"}],
    ids=str,
)
def test_same_origin_and_header_less_requests_pass(
    guarded: LiveServer, headers: dict[str, str]
) -> None:
    headers = {k: guarded.url if v == "SELF" else v for k, v in headers.items()}
    response = httpx.post(
        f"{guarded.url}/run", data={"code": "x = 1"}, headers={**headers, "HX-Request": "true"},
        timeout=60,
    )  # fmt: skip
    assert response.status_code == 200, response.text


def test_reading_is_never_refused_for_its_origin(guarded: LiveServer) -> None:
    response = httpx.get(guarded.url + "/", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200  # a link from another site opens the page
