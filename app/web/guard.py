"""What every request must satisfy before any route sees it, for every route at once.

One pure-ASGI middleware, so a route added tomorrow gets all of it by default:

* the request line and headers are bounded: a URL over 8 KiB is 414, more than 100 headers
  or more than 16 KiB of them is 431 (uvicorn's h11 bounds only a head that arrives in
  pieces, and answers it with a bare 400; `app.web.protocol` adds a deadline for the head);
* the body is bounded: over `max_body_bytes` (413 `snippet_too_large`: every body here
  carries a snippet) it is refused from `Content-Length` before a byte is read, and while
  streaming (chunked, or a client that lies) as soon as it passes
  the cap; a body not complete within `body_timeout_s` is 408;
* a state-changing request (POST, PUT, PATCH, DELETE) sent by another site's page is 403:
  `Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` that is not this server.
  Requests carrying neither header (scripts, curl) pass: they hold no student's cookies;
* the JSON API takes only `application/json` bodies (415), which a cross-site HTML form
  cannot send.

It also warns, once, when the one-user profile serves a connection from beyond loopback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings, is_loopback
from app.errors import (
    BadRequest,
    CrossSiteRequest,
    HeadersTooLarge,
    PlaygroundError,
    RequestTimeout,
    SnippetTooLarge,
    UnsupportedMediaType,
    UriTooLong,
)
from app.web.error_handler import send_error

log = logging.getLogger("tensor_playground.server")
MAX_URL_BYTES = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADERS = 100
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def head_problem(scope: Scope) -> PlaygroundError | None:
    """414 or 431 for a request line or headers over the limits."""
    url = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"]) + 1
    if url > MAX_URL_BYTES:
        return UriTooLong(f"the URL is {url} bytes; the limit is {MAX_URL_BYTES}")
    headers = scope["headers"]
    if len(headers) > MAX_HEADERS:
        return HeadersTooLarge(f"{len(headers)} headers; the limit is {MAX_HEADERS}")
    size = sum(len(name) + len(value) + 4 for name, value in headers)
    if size > MAX_HEADER_BYTES:
        return HeadersTooLarge(f"the headers are {size} bytes; the limit is {MAX_HEADER_BYTES}")
    return None


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        return (parts.hostname or "", parts.port or DEFAULT_PORTS.get(scheme))
    except ValueError:
        return ("", None)


def cross_site_problem(
    headers: dict[str, str], trusted_origins: Iterable[str]
) -> PlaygroundError | None:
    """403 when a browser says another site's page sent this state-changing request."""
    fetch_site = headers.get("sec-fetch-site", "")
    if fetch_site in ("cross-site", "same-site"):
        return CrossSiteRequest(f"refused: sent from another site (Sec-Fetch-Site: {fetch_site})")
    origin = headers.get("origin")
    if origin is None:
        return None
    scheme = urlsplit(origin).scheme if "://" in origin else ""
    if scheme in DEFAULT_PORTS:
        claimed = _host_port(urlsplit(origin).netloc, scheme)
        ours = {_host_port(headers.get("host", ""), scheme)}
        ours |= {_host_port(urlsplit(o).netloc, scheme) for o in trusted_origins}
        if claimed[0] and claimed in ours:
            return None
    return CrossSiteRequest(f"refused: sent from another site (Origin: {origin[:200]})")


def media_type_problem(headers: dict[str, str]) -> PlaygroundError | None:
    content_type = headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() == "application/json":
        return None
    shown = content_type[:100] or "none"
    return UnsupportedMediaType(f"the API takes application/json bodies, not {shown}")


def warn_if_reached_from_afar(settings: Settings, scope: Scope) -> None:
    """Under plain uvicorn the app cannot see `--host`: say so if the one-user profile
    (no per-client run limit) is serving a connection that came from beyond loopback."""
    local = (scope.get("server") or ("", None))[0] or ""
    if not settings.for_a_class and local and not is_loopback(local):
        log.warning(
            "reached on %s under the one-user profile (no per-client run limit): "
            "set PLAYGROUND_HOST or PLAYGROUND_PROFILE=class to serve a class", local,
        )  # fmt: skip


def body_too_large(detail: str) -> PlaygroundError:
    """Every body this server takes carries a snippet (JSON or a form around one), and the
    cap is several times the snippet limit: a body over it holds a snippet over its limit."""
    return SnippetTooLarge(detail)


def has_body(headers: dict[str, str]) -> bool:
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


class RequestGuard:
    """The limits above, answered through the one error handler."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.profile_checked = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        if not self.profile_checked:
            self.profile_checked = True
            warn_if_reached_from_afar(settings, scope)
        problem = head_problem(scope)
        headers = {n.decode("latin-1").lower(): v.decode("latin-1") for n, v in scope["headers"]}
        if problem is None:
            problem = self._length_problem(headers, settings.max_body_bytes)
        if problem is None and scope["method"] in UNSAFE_METHODS:
            problem = cross_site_problem(headers, settings.trusted_origins())
            if problem is None and scope["path"].startswith("/api/") and has_body(headers):
                problem = media_type_problem(headers)
        if problem is not None:
            await self._refuse(scope, receive, send, problem)
            return
        await self._bounded(scope, receive, send, settings.max_body_bytes,
                            settings.body_timeout_s)  # fmt: skip

    @staticmethod
    def _length_problem(headers: dict[str, str], cap: int) -> PlaygroundError | None:
        declared = headers.get("content-length")
        if declared is None:
            return None
        if not declared.isdigit():
            return BadRequest("Content-Length is not a number")
        if int(declared) > cap:
            return body_too_large(f"the body is {declared} bytes; the limit is {cap}")
        return None

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, problem: PlaygroundError
    ) -> None:
        scope["app"].state.metrics.observe_rejection(problem.code)
        await send_error(scope, receive, send, problem)

    async def _bounded(
        self, scope: Scope, receive: Receive, send: Send, cap: int, timeout_s: float
    ) -> None:
        """Run the app with a `receive` that stops at the cap or the deadline.

        On either, the app is told the client went away (it stops reading), whatever it
        answers is dropped, and the refusal is sent instead.
        """
        deadline = time.monotonic() + timeout_s
        received = 0
        body_done = False
        refused: PlaygroundError | None = None
        started = False

        async def bounded_receive() -> Message:
            nonlocal received, body_done, refused
            if refused is not None:
                return {"type": "http.disconnect"}
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                refused = RequestTimeout(f"the body did not arrive within {timeout_s:g} s")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    refused = body_too_large(f"the body is over the limit of {cap} bytes")
                    return {"type": "http.disconnect"}
                body_done = not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused is not None and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except Exception:
            if refused is None or started:
                raise
        if refused is not None and not started:
            await self._refuse(scope, receive, send, refused)
