"""Logging in with the class access code: its own limiter, which one student cannot use to
lock out a class, and server-side sessions that expire and can be revoked."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.web import login_limit
from app.web.login_limit import FREE_FAILURES, BrowserIds, LoginLimiter
from tests.conftest import LiveServer, start_server

CODE = "class-code-2026"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- the limiter -----------------------------------------------------------------------------


def test_free_failures_then_a_doubling_wait() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock)
    waits = [limiter.failed("10.0.0.1", "alice") for _ in range(FREE_FAILURES + 4)]
    assert waits == [0.0] * FREE_FAILURES + [1.0, 2.0, 4.0, 8.0]
    assert limiter.wait_s("10.0.0.1", "alice") == 8.0
    clock.now += 8
    assert limiter.wait_s("10.0.0.1", "alice") == 0.0


def test_the_wait_is_capped() -> None:
    limiter = LoginLimiter(Clock())
    for _ in range(FREE_FAILURES + 30):
        wait = limiter.failed("10.0.0.1", "alice")
    assert wait == login_limit.MAX_BACKOFF_S


def test_a_classmate_behind_the_same_address_is_never_waiting() -> None:
    limiter = LoginLimiter(Clock())
    for _ in range(200):
        limiter.failed("10.0.0.1", "mallory")
    assert limiter.wait_s("10.0.0.1", "mallory") > 0
    assert limiter.wait_s("10.0.0.1", "bob") == 0.0


def test_a_noisy_address_loses_its_free_failures_but_not_its_clean_browsers() -> None:
    limiter = LoginLimiter(Clock())
    for browser in range(login_limit.ADDRESS_BUDGET + 1):
        limiter.failed("10.0.0.1", f"fresh-{browser}")
    assert limiter.failed("10.0.0.1", "bob") == 1.0  # the first typo now costs a second
    assert limiter.wait_s("10.0.0.1", "carol") == 0.0
    assert limiter.failed("10.0.0.2", "dave") == 0.0  # another address keeps its free ones


def test_a_right_code_clears_the_key_and_old_failures_are_forgotten() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(FREE_FAILURES + 1):
        limiter.failed("10.0.0.1", "alice")
    limiter.succeeded("10.0.0.1", "alice")
    assert limiter.wait_s("10.0.0.1", "alice") == 0.0


def test_browser_ids_are_signed_and_rate_limited_per_address() -> None:
    ids = BrowserIds()
    issued = ids.issue("10.0.0.1")
    assert issued is not None and ids.check(issued) == issued.split(".")[0]
    tampered = issued[:-1] + ("1" if issued.endswith("0") else "0")
    assert ids.check(tampered) == login_limit.NO_BROWSER
    assert ids.check("made-up.id") == login_limit.NO_BROWSER
    more = [ids.issue("10.0.0.1") for _ in range(login_limit.IDS_BURST + 5)]
    assert more.count(None) >= 5
    assert ids.issue("10.0.0.2") is not None


# ---- over HTTP -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Runs unlimited: the login limiter must hold on its own.
    server = start_server(
        tmp_path_factory.mktemp("login"), access_code=CODE, rate_per_minute=0,
        session_hours=0.001,  # 3.6 s
    )  # fmt: skip
    yield server
    server.stop()


@contextlib.contextmanager
def browser_at(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/login").status_code == 200  # hands out this browser's id
        yield client


def log_in(client: httpx.Client, code: str) -> httpx.Response:
    return client.post("/login", data={"code": code, "next": "/"})


def test_one_student_guessing_does_not_lock_out_the_class(guarded: LiveServer) -> None:
    with browser_at(guarded) as mallory, browser_at(guarded) as bob:
        statuses = [log_in(mallory, f"guess-{i}").status_code for i in range(40)]
        assert statuses[:FREE_FAILURES] == [401] * FREE_FAILURES
        assert statuses.count(429) >= 30
        assert log_in(mallory, CODE).status_code == 429  # refused unchecked while waiting
        right = log_in(bob, CODE)
        assert right.status_code == 303 and right.headers["location"] == "/"
        assert bob.get("/").status_code == 200


def test_guessing_with_cookies_off_does_not_lock_out_the_class(guarded: LiveServer) -> None:
    statuses = [
        httpx.post(f"{guarded.url}/login", data={"code": f"bad-{i}"}).status_code for i in range(30)
    ]
    assert 429 in statuses
    with browser_at(guarded) as bob:
        assert log_in(bob, CODE).status_code == 303


def test_bearer_tokens_are_throttled_like_the_form(guarded: LiveServer) -> None:
    url = f"{guarded.url}/api/v1/lessons"
    statuses = [
        httpx.get(url, headers={"Authorization": f"Bearer nope-{i}"}).status_code for i in range(20)
    ]
    assert statuses[0] == 401 and 429 in statuses
    throttled = httpx.get(url, headers={"Authorization": "Bearer x"})
    assert throttled.json()["error"] == "login_throttled"
    assert int(throttled.headers["Retry-After"]) >= 1


def test_the_cookie_is_a_random_session_that_expires(guarded: LiveServer) -> None:
    with browser_at(guarded) as first, browser_at(guarded) as second:
        log_in(first, CODE)
        log_in(second, CODE)
        one, two = first.cookies["tp_session"], second.cookies["tp_session"]
        assert one != two and CODE not in one
        assert first.get("/").status_code == 200
        time.sleep(4)
        assert first.get("/").status_code == 303  # expired: back to the login page


def test_logout_revokes_the_session(guarded: LiveServer) -> None:
    with browser_at(guarded) as student:
        log_in(student, CODE)
        stolen = student.cookies["tp_session"]
        assert student.post("/logout").status_code == 303
        replay = httpx.get(f"{guarded.url}/", cookies={"tp_session": stolen})
        assert replay.status_code == 303


@pytest.mark.slow
def test_a_new_code_revokes_every_session(tmp_path: Path) -> None:
    server = start_server(tmp_path, access_code="first-code")
    with browser_at(server) as student:
        log_in(student, "first-code")
        cookie = student.cookies["tp_session"]
    server.stop()
    server = start_server(tmp_path, access_code="second-code")
    try:
        assert httpx.get(f"{server.url}/", cookies={"tp_session": cookie}).status_code == 303
    finally:
        server.stop()
