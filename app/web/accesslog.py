"""One JSON line per request on the `tensor_playground.access` logger, for whoever runs
the box to grep or ship. Never the body (it holds code, and maybe the access code)."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import ACCESS_LOGGER

log = logging.getLogger(ACCESS_LOGGER)


class AccessLogMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it must not buffer or delay responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            client = scope.get("client")
            log.info(json.dumps({
                "ts": round(time.time(), 3),
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client[0] if client else None,
            }))  # fmt: skip
