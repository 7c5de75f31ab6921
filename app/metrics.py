"""Counters for `GET /metrics`, in the Prometheus text format (no client library needed).

Only what a teacher's dashboard needs: runs by outcome, run latency, rejected requests,
and the gauges (in flight, queued, fork-server restarts) read live at scrape time.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable

LATENCY_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.latency_counts = [0] * (len(LATENCY_BUCKETS_S) + 1)
        self.latency_sum = 0.0
        self.gauges: dict[str, tuple[str, Callable[[], float]]] = {}

    def observe_run(self, outcome: str, seconds: float) -> None:
        """`outcome` comes from the closed `Outcome` set: never text a snippet controls."""
        self.runs[outcome] += 1
        self.latency_counts[bisect.bisect_left(LATENCY_BUCKETS_S, seconds)] += 1
        self.latency_sum += seconds

    def observe_rejection(self, reason: str) -> None:
        self.rejected[reason] += 1

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        self.gauges[name] = (help_text, read)

    def render(self) -> str:
        lines = [
            "# HELP playground_runs_total Runs executed, by outcome.",
            "# TYPE playground_runs_total counter",
        ]
        lines += [
            f'playground_runs_total{{outcome="{k}"}} {v}' for k, v in sorted(self.runs.items())
        ]
        lines += [
            "# HELP playground_rejected_total Requests refused before running, by reason.",
            "# TYPE playground_rejected_total counter",
        ]
        lines += [
            f'playground_rejected_total{{reason="{k}"}} {v}'
            for k, v in sorted(self.rejected.items())
        ]
        lines += [
            "# HELP playground_run_seconds Wall time of a run, server side.",
            "# TYPE playground_run_seconds histogram",
        ]
        cumulative = 0
        for bound, count in zip((*LATENCY_BUCKETS_S, "+Inf"), self.latency_counts, strict=True):
            cumulative += count
            lines.append(f'playground_run_seconds_bucket{{le="{bound}"}} {cumulative}')
        lines += [
            f"playground_run_seconds_sum {self.latency_sum:.6f}",
            f"playground_run_seconds_count {cumulative}",
        ]
        for name, (help_text, read) in self.gauges.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {read()}"]
        return "\n".join(lines) + "\n"
