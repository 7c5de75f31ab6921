"""/metrics comes from prometheus_client, and nothing a snippet controls reaches it."""

from __future__ import annotations

import re

import httpx

from app.metrics import OTHER, Metrics
from app.outcome import Outcome
from tests.conftest import LiveServer

SERIES = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ")
HOSTILE_NAME = (
    'Name = "q\\"uote\\nnew line} \\\\ " + "x" * (4 * 1024 * 1024)\n'
    "raise type(Name, (Exception,), {})('boom')\n"
)


def series(text: str) -> set[str]:
    """Every series name with its labels, without values."""
    found = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = SERIES.match(line)
            assert match, f"not Prometheus text: {line[:200]!r}"
            found.add(match.group(1) + (match.group(2) or ""))
    return found


def value(text: str, name: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.rsplit(" ", 1)[1])


def test_a_hostile_exception_name_changes_neither_the_series_nor_the_size(
    server: LiveServer,
) -> None:
    server.post_run("raise ValueError('ordinary')")
    before = httpx.get(f"{server.url}/metrics").text
    report = server.post_run(HOSTILE_NAME, timeout_s=20).json()
    assert report["error"] is not None
    after = httpx.get(f"{server.url}/metrics").text
    assert series(after) == series(before)
    assert abs(len(after) - len(before)) < 200  # only numbers changed
    assert "uote" not in after and "xxxx" not in after
    runs = lambda text: sum(  # noqa: E731
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("playground_runs_total{")
    )
    assert runs(after) == runs(before) + 1  # counted once, under its closed outcome


def test_the_process_reports_its_own_memory_cpu_and_descriptors(server: LiveServer) -> None:
    text = httpx.get(f"{server.url}/metrics").text
    for name in (
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
        "playground_runs_in_flight", "playground_run_seconds_bucket",
    ):  # fmt: skip
        assert name in text
    assert value(text, "process_resident_memory_bytes") > 10 * 2**20


def test_labels_come_from_closed_sets_only() -> None:
    metrics = Metrics()
    metrics.observe_run(Outcome.TIME_LIMIT, 1.0)
    metrics.observe_run('Evil"}\nplayground_fake 1', 0.1)
    metrics.observe_rejection("not a known code")
    text = metrics.render()
    assert 'playground_runs_total{outcome="TimeLimitExceeded"} 1.0' in text
    assert f'playground_runs_total{{outcome="{OTHER}"}} 1.0' in text
    assert f'playground_rejected_total{{reason="{OTHER}"}} 1.0' in text
    assert "Evil" not in text and "playground_fake" not in text


def test_every_series_exists_before_anything_happened() -> None:
    fresh, used = Metrics(), Metrics()
    for outcome in Outcome:
        used.observe_run(outcome, 0.5)
    used.observe_rejection("rate_limited")
    assert series(fresh.render()) == series(used.render())
