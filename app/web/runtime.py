"""Process-level guards the server sets up once it starts, whatever the entry point.

* The open-files soft limit is raised to the hard limit: each connection is a descriptor,
  and Debian's default soft limit of 1024 is one classroom's worth of browsers.
* The event loop's thread runs at `WEB_NICENESS` when the server may raise its priority
  (root): every request, 429 and dashboard poll passes through this one thread, so it goes
  before the runs (whose cgroup weighs one process fewer than the cores, cgroups.py) and
  before the box's other jobs; what it takes is bounded by the requests. The fork-server
  puts itself back at 0 (forkserver.py), so no run inherits it.
* Accept errors are logged at most once per `ACCEPT_LOG_EVERY_S`. When descriptors run out,
  CPython 3.11's selector loop reports EMFILE once per pending connection, up to uvicorn's
  backlog of 2048 per loop tick, each with a traceback: 20 MiB of log in 8 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import time
from typing import Any

log = logging.getLogger("tensor_playground.server")

WEB_NICENESS = -10
"""The weight of ~9 default processes."""
ACCEPT_LOG_EVERY_S = 10.0
ACCEPT_FAILURE = "socket.accept() out of system resource"


def raise_fd_limit() -> tuple[int, int]:
    """Raise RLIMIT_NOFILE's soft limit to its hard limit; return (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, hard, exc)
    return soft, hard


def raise_priority() -> int:
    """Put this thread (the event loop's) at `WEB_NICENESS` where allowed; its nice after."""
    with contextlib.suppress(OSError):  # not root: the runs are plain processes, one each
        os.setpriority(os.PRIO_PROCESS, 0, WEB_NICENESS)
    return os.getpriority(os.PRIO_PROCESS, 0)


class AcceptErrorLimiter:
    """A loop exception handler that lets one accept failure through per period.

    Every other exception goes to the handler that was there before, unchanged.
    """

    def __init__(self, previous: Any, every_s: float = ACCEPT_LOG_EVERY_S) -> None:
        self.previous = previous
        self.every_s = every_s
        self.suppressed = 0
        self._last: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") != ACCEPT_FAILURE:
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every_s:
            self.suppressed += 1
            return
        exc = context.get("exception")
        log.error(
            "accepting connections failed: %s (%d more in the last %.0f s; open-files limit %d)",
            exc, self.suppressed, self.every_s, resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        )  # fmt: skip
        self._last, self.suppressed = now, 0


def limit_accept_error_logs(loop: asyncio.AbstractEventLoop | None = None) -> None:
    loop = loop or asyncio.get_running_loop()
    if not isinstance(loop.get_exception_handler(), AcceptErrorLimiter):
        loop.set_exception_handler(AcceptErrorLimiter(loop.get_exception_handler()))
