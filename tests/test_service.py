"""Admission and rate limiting, as specifications of what a crowded class experiences."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.errors import AtCapacity
from app.metrics import Metrics
from app.ratelimit import RateLimiter
from app.service import Admission
from tests.conftest import start_server


def test_a_client_gets_its_burst_then_waits_for_tokens() -> None:
    limiter = RateLimiter(rate_per_minute=60, burst=3)
    assert [limiter.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a", now=0.0) == pytest.approx(1.0)
    assert limiter.take("b", now=0.0) == 0.0  # another student is not slowed down
    assert limiter.take("a", now=1.0) == 0.0  # one token back after a second


def test_a_zero_rate_disables_the_limit() -> None:
    limiter = RateLimiter(rate_per_minute=0, burst=1)
    assert all(limiter.take("a", now=0.0) == 0.0 for _ in range(100))


def test_forgotten_clients_are_only_those_with_full_buckets() -> None:
    limiter = RateLimiter(rate_per_minute=60, burst=2, max_clients=2)
    limiter.take("a", now=0.0)
    limiter.take("a", now=0.0)
    limiter.take("b", now=100.0)
    limiter.take("c", now=100.0)  # over max_clients: "a" refilled long ago and is dropped
    assert "a" not in limiter._buckets and "b" in limiter._buckets


def test_admission_queues_then_refuses_when_the_queue_is_full() -> None:
    async def scenario() -> list[str]:
        admission = Admission(max_running=1, max_waiting=1, max_wait_s=5)
        outcomes: list[str] = []
        release = asyncio.Event()

        async def run(name: str) -> None:
            try:
                async with admission.slot():
                    outcomes.append(f"{name} ran")
                    await release.wait()
            except AtCapacity as exc:
                outcomes.append(f"{name} refused, retry in {exc.retry_after_s}s")

        first = asyncio.create_task(run("first"))
        await asyncio.sleep(0)
        second = asyncio.create_task(run("second"))  # waits in the queue
        await asyncio.sleep(0)
        await run("third")  # queue full: refused at once
        release.set()
        await asyncio.gather(first, second)
        return outcomes

    assert asyncio.run(scenario()) == ["first ran", "third refused, retry in 2s", "second ran"]


def test_a_long_run_moves_to_the_long_lane_and_frees_its_place() -> None:
    async def scenario() -> list[tuple[int, int, bool]]:
        admission = Admission(max_running=1, max_waiting=0, max_wait_s=5, max_long=1)
        seen = []
        first = await admission.acquire()
        admission.lengthen(first)  # gone on for a while: its fresh place is free again
        second = await admission.acquire()
        seen.append((admission.running, admission.long, admission._slots.locked()))
        admission.lengthen(second)  # the long lane is full: it keeps its place, for now
        with pytest.raises(AtCapacity):
            await admission.acquire()
        admission.release(first)  # the lane has room again: the second run moves into it
        admission.release(first)  # released once only
        seen.append((admission.running, admission.long, admission._slots.locked()))
        admission.release(second)
        seen.append((admission.running, admission.long, admission._slots.locked()))
        return seen

    assert asyncio.run(scenario()) == [(2, 1, True), (1, 1, False), (0, 0, False)]


def test_metrics_render_counts_and_a_cumulative_histogram() -> None:
    metrics = Metrics()
    metrics.observe_run("ok", 0.02)
    metrics.observe_run("TimeLimitExceeded", 5.5)
    metrics.observe_rejection("rate_limited")
    metrics.gauge("playground_runs_in_flight", "Runs executing now.", lambda: 3)
    text = metrics.render()
    assert 'playground_runs_total{outcome="ok"} 1' in text
    assert 'playground_runs_total{outcome="TimeLimitExceeded"} 1' in text
    assert 'playground_rejected_total{reason="rate_limited"} 1' in text
    assert 'playground_run_seconds_bucket{le="0.025"} 1' in text
    assert 'playground_run_seconds_bucket{le="+Inf"} 2' in text
    assert "playground_runs_in_flight 3" in text


def test_a_spamming_client_is_rate_limited_over_http(tmp_path: Path) -> None:
    server = start_server(tmp_path, rate_per_minute=1, rate_burst=3)  # no refill mid-test
    try:
        statuses = [server.post_run("x = 1").status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        assert 429 in statuses[3:]
        limited = server.post_run("x = 1")
        assert limited.json()["error"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
        metrics = httpx.get(f"{server.url}/metrics").text
        assert 'playground_rejected_total{reason="rate_limited"}' in metrics
        assert 'playground_runs_total{outcome="ok"} 3' in metrics
    finally:
        server.stop()
