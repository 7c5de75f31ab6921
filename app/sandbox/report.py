"""The run report's skeleton, built in one place, and the reports of runs that sent none.

The worker fills a skeleton in; the server builds one for a run that died, overran or sent
garbage. Both go through `skeleton`, so a new field of the report is added once.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

from app.outcome import Outcome
from app.sandbox.protocol import REPORT_FAILED, WORKER_SPAWN_FAILED


def empty_graph() -> dict[str, Any]:
    return {"nodes": [], "edges": [], "truncated": False, "dot": ""}


def error_info(kind: str, message: str, line: int | None = None) -> dict[str, Any]:
    """The report's `error` object with nothing but what raised and where."""
    return {
        "type": kind,
        "message": message,
        "line": line,
        "traceback": "",
        "explanation": None,
        "operands": [],
    }


def skeleton(
    *,
    stdout: str = "",
    stderr: str = "",
    truncated: bool = False,
    duration_ms: float = 0.0,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete report with every list empty."""
    return {
        "ok": error is None,
        "stdout": stdout,
        "stderr": stderr,
        "truncated": truncated,
        "duration_ms": duration_ms,
        "tensors": [],
        "modules": [],
        "module_calls": [],
        "graph": empty_graph(),
        "figures": [],
        "figures_dropped": 0,
        "steps": [],
        "steps_truncated": False,
        "warnings": [],
        "error": error,
    }


@dataclass(frozen=True, slots=True)
class Ending:
    """How a run's processes ended, as the fork-server saw them (never the run's word)."""

    exit_code: int | None
    signal: int | None
    timed_out: bool = False
    cancelled: bool = False
    memory_killed: bool = False
    slot_lost: bool = False
    """The slot (or the whole fork-server) died under the run."""

    def describe(self) -> tuple[Outcome, str]:
        """The outcome and a plain message, for a run that left no valid report."""
        if self.cancelled:
            return Outcome.TIME_LIMIT, "The run was stopped before it finished."
        if self.timed_out:
            return Outcome.TIME_LIMIT, "The run exceeded its time limit and was stopped."
        if self.memory_killed:
            return (
                Outcome.MEMORY_LIMIT,
                "The run used more memory than a run may (all its processes together) "
                "and was stopped.",
            )
        if self.slot_lost:
            return (
                Outcome.SANDBOX_VIOLATION,
                "The sandbox restarted while this run was in flight; run it again.",
            )
        if self.signal == signal.SIGXCPU:
            return Outcome.TIME_LIMIT, "The run used up its CPU time and was stopped."
        if self.signal == signal.SIGXFSZ:
            return Outcome.OUTPUT_LIMIT, "The run wrote a file larger than the limit."
        if self.signal is not None:
            return (
                Outcome.SANDBOX_VIOLATION,
                f"The Python process running the snippet was killed ({_signal_name(self.signal)}).",
            )
        if self.exit_code == WORKER_SPAWN_FAILED:
            return Outcome.SANDBOX_VIOLATION, "The sandbox could not start this run."
        if self.exit_code == REPORT_FAILED:
            return (
                Outcome.SANDBOX_VIOLATION,
                "The run finished but its report could not be sent: the snippet closed or "
                "broke the sandbox's result channel (or the modules the report needs).",
            )
        return (
            Outcome.SANDBOX_VIOLATION,
            f"The run ended (exit status {self.exit_code}) without sending its report: "
            "it exited early or broke its result channel.",
        )


def ended_report(ending: Ending | None, stdout: str, stderr: str, truncated: bool) -> dict:
    """The report of a run that sent none: what its processes did, and its captured output."""
    if ending is None:
        kind, message = (
            Outcome.TIME_LIMIT,
            "The run did not finish and could not be stopped in time.",
        )
    else:
        kind, message = ending.describe()
    return skeleton(
        stdout=stdout, stderr=stderr, truncated=truncated, error=error_info(kind, message)
    )


def violation_report(message: str, stdout: str = "", stderr: str = "") -> dict[str, Any]:
    """The report of a run whose own report was refused."""
    return skeleton(
        stdout=stdout,
        stderr=stderr,
        error=error_info(Outcome.SANDBOX_VIOLATION, message),
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
