"""Run one snippet in *this* process and build its report (the JSON of ../shared/API.md).

The forked child calls `run_snippet_here` after it is isolated; the benchmark calls it
in-process as the speed floor. It never lets an inspection bug become the student's error:
each part of the report is built separately and a failing part is reported, not raised.
"""

from __future__ import annotations

import builtins
import linecache
import random
import signal
import sys
import time
from collections.abc import Callable
from types import CodeType
from typing import Any, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from app.explain.matcher import ErrorFacts, explain
from app.inspect.context import error_context
from app.inspect.failure import SNIPPET_FILENAME, describe_exception, failing_frame
from app.inspect.figures import FigureCollector
from app.inspect.graph import build_graph
from app.inspect.module_calls import ModuleCallRecorder
from app.inspect.modules import describe_module, iter_modules, named_parameters
from app.inspect.operands import failing_operands
from app.inspect.pitfalls import BackwardMonitor, find_warnings
from app.inspect.tensors import describe_named, iter_tensors
from app.inspect.trace import LineTracer
from app.outcome import Outcome
from app.sandbox.grade import grade_here
from app.sandbox.limits import RunLimits
from app.sandbox.output import CappedOutput, OutputFlood, StreamProxy
from app.sandbox.report import empty_graph, skeleton

T = TypeVar("T")


class TimeLimit(BaseException):
    """Raised inside the snippet by the run's alarm, so the report can say where it was."""


def fresh_namespace() -> dict[str, Any]:
    """The globals every run starts from: a new `__main__` with the pre-imported names."""
    return {
        "__name__": "__main__",
        "__builtins__": builtins,
        "torch": torch,
        "nn": nn,
        "F": F,
        "np": np,
    }


def seed_everything(seed: int | None) -> None:
    """Same seed, same tensors for every student; None draws fresh entropy.

    The CPU generator is seeded directly: `torch.manual_seed` also queues a lazy CUDA seed
    with a formatted stack trace (0.3 ms a run, for a device a CPU build has not got).
    """
    if seed is None:
        seed = torch.default_generator.seed()
        np.random.seed(None)
        random.seed(None)
    else:
        torch.default_generator.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def run_snippet_here(
    code: str,
    *,
    seed: int | None = 0,
    trace: bool = True,
    lang: str = "en",
    timeout_s: float | None = None,
    limits: RunLimits | None = None,
    output_fds: dict[str, int] | None = None,
    flush_c_streams: Callable[[], None] | None = None,
    grade: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Execute `code` as `__main__` and report what it did to every tensor.

    `output_fds` (the worker's capture files) receive what the snippet prints, and the
    report's stdout/stderr are read back from them; without, output is kept in memory.
    `grade` (the classroom's, see grade.py) adds `report["grade"]` once the report is built,
    for a snippet that raised nothing.
    """
    limits = limits or RunLimits()
    namespace = fresh_namespace()
    output = CappedOutput(limits.max_output_bytes, limits.output_flood_bytes, output_fds)
    problems: list[str] = []
    seed_everything(seed)
    torch.set_grad_enabled(True)
    linecache.cache[SNIPPET_FILENAME] = (len(code), None, code.splitlines(True), SNIPPET_FILENAME)

    error: BaseException | None = None
    tracer = LineTracer(SNIPPET_FILENAME, max_steps=limits.max_steps) if trace else None
    monitor = BackwardMonitor()
    figures = FigureCollector(limits.max_figures, limits.max_figure_bytes)
    calls = ModuleCallRecorder(limits.max_module_calls)  # module_calls: hooks for this run only
    started = time.perf_counter()
    saved_streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = StreamProxy(output, "stdout"), StreamProxy(output, "stderr")
    try:
        compiled = compile(code, SNIPPET_FILENAME, "exec", dont_inherit=True)
        _start_alarm(timeout_s)
        with figures, monitor, calls:
            _execute(compiled, namespace, tracer)
    except BaseException as exc:  # the snippet may raise anything, SystemExit included
        error = None if _is_clean_exit(exc) else exc
    finally:
        _stop_alarm()
        sys.stdout, sys.stderr = saved_streams
    duration_ms = (time.perf_counter() - started) * 1000
    exec_end = time.monotonic()

    listed = iter_tensors(namespace)
    modules = iter_modules(namespace)
    tensors = _safely(
        problems, "tensors", lambda: describe_named(listed, problems, limits.max_values), []
    )
    if flush_c_streams is not None:
        _safely(problems, "output", flush_c_streams, None)
    stdout, stderr, truncated = output.texts()
    report = skeleton(
        stdout=stdout, stderr=stderr, truncated=truncated, duration_ms=round(duration_ms, 3)
    )
    report["tensors"] = tensors
    report["modules"] = _safely(
        problems,
        "modules",
        lambda: [describe_module(n, m, limits) for n, m in modules],
        [],
    )
    report["graph"] = _safely(
        problems,
        "graph",
        lambda: build_graph(
            listed, named_parameters(modules), max_nodes=limits.max_graph_nodes
        ).to_json(),
        empty_graph(),
    )
    # module_calls (issue 11): the shape trace, named after the run's variables
    report["module_calls"] = _safely(problems, "module_calls", lambda: calls.to_json(namespace), [])
    report["module_calls_truncated"] = calls.truncated
    report["figures"] = figures.figures
    report["figures_dropped"] = figures.dropped
    report["steps"] = tracer.steps if tracer else []
    report["steps_truncated"] = bool(tracer and tracer.truncated)
    if error is None:
        report["warnings"] = _safely(
            problems, "warnings", lambda: find_warnings(tracer, monitor, code, tensors), []
        )
    else:
        report["ok"] = False
        context = _safely(  # where it raised: layer, library frames (issue 11)
            problems,
            "context",
            lambda: error_context(error, calls, namespace, code, report["module_calls"]),
            {},
        )
        report["error"] = describe_error(error, code, tensors, lang, limits, problems, context)
    if grade is not None and error is None:
        report["grade"] = _grade(grade, namespace, timeout_s, started)
    if problems:
        report["inspection_problems"] = problems
    report["stages"] = {"exec_start": exec_end - duration_ms / 1000, "exec_end": exec_end,
                        "inspected": time.monotonic()}  # fmt: skip
    return report


def describe_error(
    exc: BaseException,
    code: str,
    tensors: list[dict[str, Any]],
    lang: str,
    limits: RunLimits,
    problems: list[str],
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `error` object: what raised, where, which operands, and the catalog's why/fix."""
    error = describe_exception(exc)
    located = failing_frame(exc)
    line_source = None
    if error["line"] is not None and 0 < error["line"] <= len(code.splitlines()):
        line_source = code.splitlines()[error["line"] - 1].strip()
    if located is not None and line_source and not isinstance(exc, TimeLimit | OutputFlood):
        frame, _ = located
        error["operands"] = _safely(
            problems,
            "operands",
            lambda: failing_operands(line_source, frame.f_globals, frame.f_locals),
            [],
        )
    limit_type = _limit_error_type(exc)
    if limit_type is not None:
        error["type"] = str(limit_type)
        error["message"] = _limit_message(limit_type, exc, limits)
        return error
    facts = ErrorFacts(
        type=error["type"],
        message=error["message"],
        line_source=line_source,
        tensors=tensors,
        operands=error["operands"],
        **(context or {}),  # code, line, layers, frames, module_calls (issue 11)
    )
    explanation = _safely(problems, "explanation", lambda: explain(facts, lang), None)
    error["explanation"] = None if explanation is None else explanation.to_json()
    return error


def _grade(
    spec: dict[str, Any], namespace: dict[str, Any], timeout_s: float | None, started: float
) -> dict[str, Any]:
    """Grading under what is left of the run's time (grade.py never raises; the alarm may
    still fire between its end and the alarm's stop)."""
    left = None if not timeout_s else max(0.05, timeout_s - (time.perf_counter() - started))
    try:
        _start_alarm(left)
        try:
            return grade_here(
                spec, namespace, seed=seed_everything, fresh_namespace=fresh_namespace,
                limit_of=lambda exc: None if (kind := _limit_error_type(exc)) is None
                else str(kind),
            )  # fmt: skip
        finally:
            _stop_alarm()
    except TimeLimit:
        return {"values": {}, "calls": [], "stopped": str(Outcome.TIME_LIMIT)}


def _execute(compiled: CodeType, namespace: dict[str, Any], tracer: LineTracer | None) -> None:
    if tracer is None:
        exec(compiled, namespace)
    else:
        with tracer:
            exec(compiled, namespace)


def _is_clean_exit(exc: BaseException) -> bool:
    return isinstance(exc, SystemExit) and exc.code in (None, 0)


def _limit_error_type(exc: BaseException) -> Outcome | None:
    if isinstance(exc, TimeLimit):
        return Outcome.TIME_LIMIT
    if isinstance(exc, OutputFlood):
        return Outcome.OUTPUT_LIMIT
    if isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)
    ):
        return Outcome.MEMORY_LIMIT
    return None


def _limit_message(kind: Outcome, exc: BaseException, limits: RunLimits) -> str:
    if kind is Outcome.TIME_LIMIT:
        return f"The snippet ran longer than its time limit ({exc}) and was stopped."
    if kind is Outcome.OUTPUT_LIMIT:
        return (
            f"The snippet printed more than {limits.output_flood_bytes // 1024} KiB and was "
            f"stopped; the first {limits.max_output_bytes // 1024} KiB are kept."
        )
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"The snippet tried to allocate more memory than a run may use "
        f"({limits.memory_bytes // 2**20} MiB): {detail}"
    )


def _start_alarm(timeout_s: float | None) -> None:
    if not timeout_s:
        return

    def _on_alarm(signum: int, frame: object) -> None:
        raise TimeLimit(f"{timeout_s:g} s")

    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)


def _stop_alarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def _safely(problems: list[str], part: str, build: Callable[[], T], fallback: T) -> T:
    """Build one part of the report; an inspection bug is reported, never raised."""
    try:
        return build()
    except Exception as exc:
        problems.append(f"{part}: {type(exc).__name__}: {exc}")
        return fallback
