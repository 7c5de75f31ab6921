"""One user on a laptop, or a class on a LAN: the defaults follow where the server listens,
and the startup log says which are in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import CLASS_RATE_PER_MINUTE, Settings
from tests.conftest import start_server


@pytest.mark.parametrize(
    ("settings", "for_a_class", "rate"),
    [
        ({}, False, 0),
        ({"host": "127.0.0.1"}, False, 0),
        ({"host": "127.0.0.2"}, False, 0),
        ({"host": "::1"}, False, 0),
        ({"host": "localhost"}, False, 0),
        ({"host": "0.0.0.0"}, True, CLASS_RATE_PER_MINUTE),
        ({"host": "::"}, True, CLASS_RATE_PER_MINUTE),
        ({"host": "192.168.1.20"}, True, CLASS_RATE_PER_MINUTE),
        ({"host": "class.example"}, True, CLASS_RATE_PER_MINUTE),
        ({"profile": "class"}, True, CLASS_RATE_PER_MINUTE),
        ({"host": "0.0.0.0", "profile": "one-user"}, False, 0),
        ({"host": "0.0.0.0", "rate_per_minute": 5}, True, 5),
        ({"rate_per_minute": 7}, False, 7),
    ],
)
def test_the_profile_sets_the_per_client_run_limit(
    settings: dict, for_a_class: bool, rate: int
) -> None:
    resolved = Settings(**settings)
    assert resolved.for_a_class is for_a_class
    assert resolved.rate_per_minute == rate


def test_the_summary_names_the_profile_and_why() -> None:
    assert (
        Settings(host="0.0.0.0")
        .profile_summary()
        .startswith("profile class (listening on 0.0.0.0): 60 runs/min")
    )
    assert Settings().profile_summary() == (
        "profile one-user (listening on 127.0.0.1): no per-client run limit"
    )


@pytest.mark.slow
def test_one_user_on_loopback_is_never_rate_limited(tmp_path: Path) -> None:
    # `make run`: loopback. PLAYGROUND_MAX_RUNS=0 is invalid: the CLI flag must win, and
    # nothing may read the environment before the flag is applied.
    server = start_server(tmp_path, cli=True, max_runs=0, args=("--workers", "2"))
    try:
        statuses = [server.post_run("x = 1").status_code for _ in range(30)]
        assert statuses == [200] * 30
        log = server.log_path.read_text()
        assert "profile one-user (listening on 127.0.0.1)" in log
        assert "limits: 2 runs at once" in log
    finally:
        server.stop()


@pytest.mark.slow
def test_the_class_profile_limits_each_client(tmp_path: Path) -> None:
    server = start_server(tmp_path, cli=True, args=("--profile", "class"))
    try:
        statuses = [server.post_run("x = 1").status_code for _ in range(30)]
        assert 429 in statuses
        assert "profile class (chosen): 60 runs/min" in server.log_path.read_text()
    finally:
        server.stop()
