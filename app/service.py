"""`RunService.run`: the one path from a request to a report, shared by the API and pages.

It checks what the sandbox should never see (oversized or malformed source), admits the
run under the concurrency limit, and hands it to the executor.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from app.config import Settings
from app.errors import AtCapacity, InvalidSnippet, PlaygroundError, RateLimited, SnippetTooLarge
from app.metrics import Metrics
from app.outcome import Outcome
from app.ratelimit import RateLimiter
from app.sandbox.executor import ForkServerExecutor
from app.schemas import RunRequest, RunResponse


class Admission:
    """At most `max_running` runs at once and `max_waiting` queued behind them.

    A full queue answers at once with 429 rather than letting requests pile up: under
    overload a client learns to come back, instead of timing out. A run holds its place
    until its last process has ended, not until its report arrived: a run that keeps going
    after its report keeps counting (for its short grace), so health and admission tell the
    truth about the slots.
    """

    def __init__(self, max_running: int, max_waiting: int, max_wait_s: float) -> None:
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.running = 0
        self.waiting = 0
        self._slots = asyncio.Semaphore(max_running)

    def retry_after_s(self) -> int:
        return max(1, math.ceil((self.waiting + 1) / self.max_running))

    async def acquire(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot and nobody queued: no wait
        elif self.waiting >= self.max_waiting:
            raise AtCapacity("the server is at capacity", self.retry_after_s())
        else:
            self.waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), self.max_wait_s)
            except TimeoutError:
                raise AtCapacity("waited too long for a free slot", self.retry_after_s()) from None
            finally:
                self.waiting -= 1
        self.running += 1

    def release(self) -> None:
        self.running -= 1
        self._slots.release()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class RunService:
    """Validates, admits and executes runs."""

    def __init__(self, settings: Settings, executor: ForkServerExecutor, metrics: Metrics) -> None:
        self.settings = settings
        self.executor = executor
        self.metrics = metrics
        self.admission = Admission(settings.max_runs, settings.queue_size, settings.queue_wait_s)
        self.rate_limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst)
        self._keyed: dict[tuple[str, str], int] = {}
        metrics.gauge("playground_runs_in_flight", "Runs executing now.",
                      lambda: self.admission.running)
        metrics.gauge("playground_runs_queued", "Runs waiting for a slot.",
                      lambda: self.admission.waiting)
        metrics.gauge("playground_executor_restarts", "Times the fork-server was restarted.",
                      lambda: executor.restarts)

    def check_source(self, code: str) -> None:
        """Reject what cannot be a snippet before any process is forked for it."""
        try:
            size = len(code.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise InvalidSnippet(f"the code is not valid UTF-8 text: {exc.reason}") from None
        if size > self.settings.max_code_bytes:
            raise SnippetTooLarge(
                f"the snippet is {size} bytes; the limit is {self.settings.max_code_bytes}"
            )
        if "\x00" in code:
            raise InvalidSnippet("the code contains a NUL byte")

    async def run(
        self,
        request: RunRequest,
        client: str,
        run_key: str | None = None,
        *,
        grade: dict[str, Any] | None = None,
        metered: bool = True,
    ) -> RunResponse:
        """Run `request` for `client` (an address: the key of the per-client rate limit).

        `run_key`, chosen by the caller, lets the same client stop the run (`cancel`).
        `grade` asks the run for the classroom's values (app/sandbox/grade.py); `metered=False`
        leaves the client's rate alone (a reference run the server starts on its own), never
        the admission limits.
        """
        try:
            self.check_source(request.code)
            wait = self.rate_limiter.take(client) if metered else 0.0
            if wait:
                raise RateLimited(
                    "too many runs from this client; slow down",
                    self.rate_limiter.retry_after_s(wait),
                )
            started = time.perf_counter()
            report = await self._execute(request, client, run_key, grade)
        except PlaygroundError as exc:
            self.metrics.observe_rejection(exc.code)
            raise
        self.metrics.observe_run(Outcome.of_report(report), time.perf_counter() - started)
        return report

    def cancel(self, run_key: str, client: str) -> bool:
        """Stop `client`'s run started with `run_key`; False when there is none in flight."""
        run_id = self._keyed.get((client, run_key))
        return run_id is not None and self.executor.cancel(run_id)

    async def _execute(
        self,
        request: RunRequest,
        client: str,
        run_key: str | None,
        grade: dict[str, Any] | None = None,
    ) -> RunResponse:
        timeout_s = self.settings.clamp_timeout(request.timeout_s)
        payload: dict[str, Any] = {
            "code": request.code,
            "seed": request.seed,
            "trace": request.trace,
            "lang": request.lang,
        }
        if grade is not None:
            payload["grade"] = grade
        waited = time.monotonic()
        await self.admission.acquire()
        waited = time.monotonic() - waited
        key = (client, run_key) if run_key else None
        run_id = self.executor.new_run_id()
        if key is not None:
            self._keyed[key] = run_id
        try:
            run = await self.executor.run(payload, timeout_s, run_id)
        except BaseException:  # cancelled (the client left) or the sandbox is unavailable
            ended = self.executor.ended(run_id)
            if ended is None:
                self._forget(key, run_id)
            else:
                ended.add_done_callback(lambda _: self._forget(key, run_id))
            raise
        run.ended.add_done_callback(lambda _: self._forget(key, run_id))
        run.response.timings = {"admission": round(waited * 1000, 3), **run.response.timings}
        return run.response

    def _forget(self, key: tuple[str, str] | None, run_id: int) -> None:
        """The run is over: free its place and its key."""
        self.admission.release()
        if key is not None and self._keyed.get(key) == run_id:
            del self._keyed[key]
