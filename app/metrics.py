"""`GET /metrics` with prometheus_client: what a teacher's dashboard needs, nothing a
snippet can name.

Runs by outcome, run latency, refused requests by reason, live gauges (in flight, queued,
fork-server restarts), and the process' own RSS, CPU and open descriptors. Every label
value comes from a closed set fixed here (the `Outcome` members, the error codes of
`app.errors`), anything else is counted as `other`, and every series exists from the start:
no run can add a series, grow the page or inject text into it.
"""

from __future__ import annotations

from collections.abc import Callable

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from app.errors import all_errors
from app.outcome import Outcome

LATENCY_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST
OTHER = "other"
OUTCOMES = frozenset(str(o) for o in Outcome)
REASONS = frozenset(cls.code for cls in all_errors())

prometheus_client.disable_created_metrics()  # `_created` series say nothing useful here


def closed(value: object, allowed: frozenset[str]) -> str:
    text = str(value)
    return text if text in allowed else OTHER


class Metrics:
    """One registry per app, so two apps in one process (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        prometheus_client.ProcessCollector(registry=self.registry)
        prometheus_client.PlatformCollector(registry=self.registry)
        self.runs = Counter(
            "playground_runs", "Runs executed, by outcome.", ["outcome"], registry=self.registry
        )
        self.rejected = Counter(
            "playground_rejected", "Requests refused before running, by reason.", ["reason"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "playground_run_seconds", "Wall time of a run, server side.",
            buckets=LATENCY_BUCKETS_S, registry=self.registry,
        )  # fmt: skip
        for outcome in (*sorted(OUTCOMES), OTHER):
            self.runs.labels(outcome)
        for reason in (*sorted(REASONS), OTHER):
            self.rejected.labels(reason)

    def observe_run(self, outcome: object, seconds: float) -> None:
        """`outcome` should be an `Outcome`; anything else is counted as `other`."""
        self.runs.labels(closed(outcome, OUTCOMES)).inc()
        self.latency.observe(seconds)

    def observe_rejection(self, reason: object) -> None:
        self.rejected.labels(closed(reason, REASONS)).inc()

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        Gauge(name, help_text, registry=self.registry).set_function(read)

    def render(self) -> str:
        return prometheus_client.generate_latest(self.registry).decode()
