"""The server's logs on stderr: one JSON line per request, plain lines for the rest.

Configured by the app itself when it starts, so `tensor-playground serve` and plain
`uvicorn app.main:app` log the same way: the access log is `app.web.accesslog`'s JSON
lines only (uvicorn's own access log, which would log every request a second time, is
switched off), and the server's other messages are `LEVEL logger: message` lines.
"""

from __future__ import annotations

import logging
import sys

ACCESS_LOGGER = "tensor_playground.access"
_MARK = "_tensor_playground_handler"


def _own_handler(logger: logging.Logger, fmt: str) -> None:
    if any(getattr(handler, _MARK, False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(fmt))
    setattr(handler, _MARK, True)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def configure_logging() -> None:
    """Idempotent: safe to call from every app built in one process."""
    _own_handler(logging.getLogger("tensor_playground"), "%(levelname)s %(name)s: %(message)s")
    _own_handler(logging.getLogger(ACCESS_LOGGER), "%(message)s")
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False  # uvicorn logs access only where a handler is found
