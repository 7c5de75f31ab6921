"""`RunService.run`: the one path from a request to a report, shared by the API and pages.

It checks what the sandbox should never see (oversized or malformed source), admits the
run under the concurrency limit, and hands it to the executor.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.errors import AtCapacity, InvalidSnippet, PlaygroundError, RateLimited, SnippetTooLarge
from app.metrics import Metrics
from app.outcome import Outcome
from app.ratelimit import RateLimiter
from app.sandbox.executor import ForkServerExecutor
from app.sandbox.limits import LOW_PRIORITY_AFTER_S
from app.schemas import RunRequest, RunResponse


@dataclass(slots=True)
class Ticket:
    """One admitted run's place: fresh until the run has gone on for `LOW_PRIORITY_AFTER_S`."""

    long: bool = False
    released: bool = False


class Admission:
    """At most `max_running` fresh runs at once, `max_long` long ones besides, and
    `max_waiting` queued.

    A full queue answers at once with 429 rather than letting requests pile up: under
    overload a client learns to come back, instead of timing out. A run still going after
    `LOW_PRIORITY_AFTER_S` (when the sandbox also lowers its CPU weight) moves to the long
    lane, at once or when the lane next has room, freeing its fresh place: a class's training
    loops and endless loops then never make a two-line snippet wait for one of them to end.
    A run holds its place until its last process has ended, not until its report arrived,
    so health and admission tell the truth about the slots.
    """

    def __init__(
        self, max_running: int, max_waiting: int, max_wait_s: float, max_long: int = 0
    ) -> None:
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.max_wait_s = max_wait_s
        self.max_long = max_long
        self.running = 0
        """Every admitted run, fresh or long."""
        self.long = 0
        self.waiting = 0
        self._slots = asyncio.Semaphore(max_running)
        self._wanting: collections.deque[Ticket] = collections.deque()
        """Long runs that found the long lane full, oldest first: they move when it frees."""

    def retry_after_s(self) -> int:
        return max(1, math.ceil((self.waiting + 1) / self.max_running))

    async def acquire(self) -> Ticket:
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
        return Ticket()

    def lengthen(self, ticket: Ticket) -> None:
        """The run has gone on for a while: into the long lane, now or once it has room."""
        if ticket.long or ticket.released:
            return
        if self.long >= self.max_long:
            if self.max_long:
                self._wanting.append(ticket)
            return
        ticket.long = True
        self.long += 1
        self._slots.release()

    def _make_room(self) -> None:
        while self._wanting and self.long < self.max_long:
            self.lengthen(self._wanting.popleft())

    def release(self, ticket: Ticket) -> None:
        if ticket.released:
            return
        ticket.released = True
        self.running -= 1
        if ticket.long:
            self.long -= 1
            self._make_room()
        else:
            self._slots.release()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        ticket = await self.acquire()
        try:
            yield
        finally:
            self.release(ticket)


class RunService:
    """Validates, admits and executes runs."""

    def __init__(self, settings: Settings, executor: ForkServerExecutor, metrics: Metrics) -> None:
        self.settings = settings
        self.executor = executor
        self.metrics = metrics
        self.admission = Admission(
            settings.max_runs, settings.queue_size, settings.queue_wait_s, settings.max_long_runs
        )
        self.rate_limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst)
        self._keyed: dict[tuple[str, str], int] = {}
        metrics.gauge(
            "playground_runs_in_flight", "Runs executing now.", lambda: self.admission.running
        )
        metrics.gauge(
            "playground_runs_queued", "Runs waiting for a slot.", lambda: self.admission.waiting
        )
        metrics.gauge(
            "playground_executor_restarts",
            "Times the fork-server was restarted.",
            lambda: executor.restarts,
        )

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
        ticket = await self.admission.acquire()
        waited = time.monotonic() - waited
        lengthen = asyncio.get_running_loop().call_later(
            LOW_PRIORITY_AFTER_S, self.admission.lengthen, ticket
        )  # when the sandbox lowers its CPU weight too
        key = (client, run_key) if run_key else None
        run_id = self.executor.new_run_id()
        if key is not None:
            self._keyed[key] = run_id

        def forget(_: object = None) -> None:
            lengthen.cancel()
            self._forget(key, run_id, ticket)

        try:
            run = await self.executor.run(payload, timeout_s, run_id)
        except BaseException:  # cancelled (the client left) or the sandbox is unavailable
            ended = self.executor.ended(run_id)
            if ended is None:
                forget()
            else:
                ended.add_done_callback(forget)
            raise
        run.ended.add_done_callback(forget)
        run.response.timings = {"admission": round(waited * 1000, 3), **run.response.timings}
        return run.response

    def _forget(self, key: tuple[str, str] | None, run_id: int, ticket: Ticket) -> None:
        """The run is over: free its place and its key."""
        self.admission.release(ticket)
        if key is not None and self._keyed.get(key) == run_id:
            del self._keyed[key]
