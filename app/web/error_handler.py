"""The one error handler: every non-2xx answer, whoever raised it, in one shape.

Modelled on datasette's `handle_exception`: first decide *what* went wrong (an error of
`app.errors`, whatever the exception was: ours, FastAPI's validation error, Starlette's own
404/405, or a bug), then *how to say it*: `{"error": code, "detail": ...}` for API clients
and scripts, the error page for a browser asking for HTML. The ASGI middlewares that refuse
a request before any route runs (`app.web.guard`) answer through `send_error`, so their
413/414/415/431/403 look exactly like a route's.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from app.errors import InvalidRequest, PlaygroundError, for_status
from app.schemas import Problem

log = logging.getLogger("tensor_playground.errors")

DOCUMENTED = {
    400: "The body could not be parsed.",
    401: "The class access code is missing or wrong (when one is set).",
    403: "A page of another site sent this request.",
    404: "No such route, lesson or share link.",
    405: "The route does not take this method.",
    408: "The request body came too slowly.",
    413: "The body or the snippet is over its size limit.",
    414: "The URL is over 8 KiB.",
    415: "The JSON API takes `application/json` bodies only.",
    422: "The body is not the schema, or the code cannot be a snippet.",
    429: "At capacity or over a rate; `Retry-After` says when to retry.",
    431: "Over 100 headers, or over 16 KiB of them.",
    500: "A bug in the server (logged); never caused by a snippet.",
    503: "The sandbox could not be started.",
}
"""The statuses the API documents in OpenAPI, each with the `Problem` body."""


def openapi_responses() -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Problem, "description": text} for status, text in DOCUMENTED.items()}


def wants_html(request: Request) -> bool:
    """A browser asking for a page; the API under /api answers JSON whatever it is asked."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def classify(exc: Exception) -> PlaygroundError:
    """What went wrong, as an error of the tree; an unknown exception is a logged 500."""
    if isinstance(exc, PlaygroundError):
        return exc
    if isinstance(exc, RequestValidationError):
        return InvalidRequest(
            [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        )
    if isinstance(exc, HTTPException):
        return for_status(exc.status_code, exc.detail, dict(exc.headers or {}))
    log.error("unexpected %s while answering a request", type(exc).__name__, exc_info=exc)
    return PlaygroundError()


def as_text(detail: Any) -> str:
    """A detail for a person: validation errors as `field: message; ...`."""
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg', '')}"
            if isinstance(d, dict) else str(d)
            for d in detail
        )  # fmt: skip
    return str(detail)


def error_response(request: Request, error: PlaygroundError) -> Response:
    from app.web.pages import error_page  # the pages import the app's routers

    headers = error.headers()
    if error.status_code in (408, 413, 414, 431):
        headers["Connection"] = "close"  # the rest of the request is never read
    if wants_html(request):
        return error_page(request, error.status_code, as_text(error.detail), headers)
    body = {"error": error.code, "detail": error.detail}
    return JSONResponse(body, status_code=error.status_code, headers=headers)


def _say_more(request: Request, exc: HTTPException, error: PlaygroundError) -> None:
    """Starlette's own 404/405 carry only the status phrase: say which path and method."""
    if exc.detail != HTTPStatus(exc.status_code).phrase:
        return
    if exc.status_code == 404:
        error.detail = f"there is no page or route at {request.url.path[:200]}"
    elif exc.status_code == 405:
        error.detail = f"{request.url.path[:200]} does not take {request.method}"


async def handle_exception(request: Request, exc: Exception) -> Response:
    error = classify(exc)
    if isinstance(exc, HTTPException):
        _say_more(request, exc, error)
    return error_response(request, error)


async def send_error(scope: Scope, receive: Receive, send: Send, error: PlaygroundError) -> None:
    """Answer from an ASGI middleware, before or instead of the app."""
    response = error_response(Request(scope, receive), error)
    await response(scope, receive, send)


def install(app: FastAPI) -> None:
    for raised in (PlaygroundError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(raised, handle_exception)
