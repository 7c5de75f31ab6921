"""The optional class access code (`PLAYGROUND_ACCESS_CODE`).

Pages ask for it once and remember a cookie derived from it (never the code itself); API
clients send it as `Authorization: Bearer <code>`. Comparisons are constant-time, and the
code never appears in a URL, so it never reaches an access log.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from app.web.deps import ClientDep
from app.web.pages import render

COOKIE = "tp_access"
OPEN_PATHS = ("/static/", "/login", "/api/v1/health")
router = APIRouter(tags=["pages"])


def cookie_value(code: str) -> str:
    """What the browser keeps: a keyed hash of the code, useless anywhere else."""
    return hmac.new(code.encode(), b"tensor-playground access", hashlib.sha256).hexdigest()


def matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


class AccessCodeMiddleware(BaseHTTPMiddleware):
    """Lets a request through only with the code (API) or its cookie (pages)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        code = request.app.state.settings.access_code
        path = request.url.path
        if code is None or path.startswith(OPEN_PATHS):
            return await call_next(request)
        secret = code.get_secret_value()
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer ") and matches(bearer[7:].strip(), secret):
            return await call_next(request)
        if matches(request.cookies.get(COOKIE, ""), cookie_value(secret)):
            return await call_next(request)
        if path.startswith("/api/") or path == "/metrics":
            return JSONResponse(
                {"error": "unauthorized", "detail": "send the class access code as a bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = f"/login?next={path}" if request.method == "GET" else "/login"
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)


def _safe_next(target: str) -> str:
    """Only paths on this site: no open redirect through the login form."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "wrong": False})


@router.post("/login")
async def login(
    request: Request,
    client: ClientDep,
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = request.app.state.settings
    limiter = request.app.state.service.rate_limiter
    if settings.access_code is None:
        return RedirectResponse(_safe_next(next), status_code=303)
    secret = settings.access_code.get_secret_value()
    if limiter.take(f"login:{client}") or not matches(code, secret):
        context = {"next": _safe_next(next), "wrong": True}
        return render(request, "login.html", context, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE, cookie_value(secret), httponly=True, samesite="lax", max_age=12 * 3600
    )
    return response
