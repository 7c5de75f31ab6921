"""The optional class access code (`PLAYGROUND_ACCESS_CODE`).

Pages ask for it once and get a session (`app.web.sessions`: a random id in an HttpOnly
cookie that expires after `PLAYGROUND_SESSION_HOURS`, kept in the store); API clients send it
as `Authorization: Bearer <code>`. Every attempt, form or bearer, passes the login limiter
first (`app.web.login_limit`). Comparisons are constant-time, and the code never appears in
a URL, so it never reaches an access log.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.errors import LoginThrottled, Unauthorized
from app.web.deps import ClientDep, client_address
from app.web.error_handler import error_response, send_error
from app.web.login_limit import BrowserIds, LoginLimiter
from app.web.pages import render
from app.web.sessions import SessionStore, code_fingerprint

SESSION_COOKIE = "tp_session"
BROWSER_COOKIE = "tp_browser"
BEARER_KEY = "bearer"
CLASSROOM_API = ("/api/v1/classes", "/api/v1/join", "/api/v1/me", "/api/v1/exercises/",
                 "/api/v1/exercise-sets")  # fmt: skip
"""The classroom's API authenticates itself (teacher code, student token, join code): with an
access code too, its bearer tokens are those, not the access code."""
OPEN_PATHS = ("/static/", "/login", "/api/v1/health", *CLASSROOM_API)
router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass
class AccessGate:
    """What the access code needs at run time: its fingerprint, sessions and the limiter."""

    settings: Settings
    sessions: SessionStore
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    browsers: BrowserIds = field(default_factory=BrowserIds)

    @property
    def secret(self) -> str | None:
        code = self.settings.access_code
        return None if code is None else code.get_secret_value()

    @property
    def fingerprint(self) -> str:
        return code_fingerprint(self.secret or "")

    def check(self, given: str, address: str, browser: str) -> bool:
        """Whether `given` is the code, after the limiter; raises `LoginThrottled`."""
        wait = self.limiter.wait_s(address, browser)
        if wait:
            seconds = max(1, round(wait + 0.5))
            raise LoginThrottled(
                f"too many wrong access codes from here; try again in {seconds} s", seconds
            )
        if hmac.compare_digest(given.encode(), (self.secret or "").encode()):
            self.limiter.succeeded(address, browser)
            return True
        self.limiter.failed(address, browser)
        return False

    async def has_session(self, request: Request) -> bool:
        session_id = request.cookies.get(SESSION_COOKIE, "")
        return bool(session_id) and await self.sessions.valid(session_id, self.fingerprint)


def gate(request: Request) -> AccessGate:
    return request.app.state.access


class AccessCodeMiddleware:
    """Pure ASGI: lets a request through only with the code (API) or a session (pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        access: AccessGate = scope["app"].state.access if scope["type"] == "http" else None
        if access is None or access.secret is None or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        bearer = request.headers.get("authorization", "")
        try:
            if bearer.startswith("Bearer ") and access.check(
                bearer[7:].strip(), client_address(request), BEARER_KEY
            ):
                await self.app(scope, receive, send)
                return
        except LoginThrottled as exc:
            await send_error(scope, receive, send, exc)
            return
        if not bearer and await access.has_session(request):
            await self.app(scope, receive, send)
            return
        await self._refuse(request, scope, receive, send, wrong_bearer=bool(bearer))

    async def _refuse(
        self, request: Request, scope: Scope, receive: Receive, send: Send, *, wrong_bearer: bool
    ) -> None:
        path = request.url.path
        if wrong_bearer or path.startswith("/api/") or path == "/metrics":
            detail = (
                "the bearer token is not the class access code"
                if wrong_bearer
                else ("send the class access code as a bearer token")
            )
            await send_error(scope, receive, send, Unauthorized(detail))
            return
        target = f"/login?next={path}" if request.method == "GET" else "/login"
        if request.headers.get("hx-request") == "true":
            response = error_response(request, Unauthorized("log in with the access code first"))
            response.headers["HX-Redirect"] = target
        else:
            response = RedirectResponse(target, status_code=303)
        await response(scope, receive, send)


def _safe_next(target: str) -> str:
    """Only paths on this site: no open redirect through the login form."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _with_browser_id(request: Request, response: Response) -> Response:
    """Give a browser without a valid id one (per-address rate permitting)."""
    access = gate(request)
    if access.browsers.check(request.cookies.get(BROWSER_COOKIE)) == "-":
        issued = access.browsers.issue(client_address(request))
        if issued is not None:
            response.set_cookie(
                BROWSER_COOKIE, issued, httponly=True, samesite="lax", max_age=30 * 24 * 3600
            )
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    response = render(request, "login.html", {"next": _safe_next(next), "wrong": False})
    return _with_browser_id(request, response)


@router.post("/login")
async def login(
    request: Request,
    client: ClientDep,
    code: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    access = gate(request)
    if access.secret is None:
        return RedirectResponse(_safe_next(next), status_code=303)
    browser = access.browsers.check(request.cookies.get(BROWSER_COOKIE))
    if not access.check(code, client, browser):
        context = {"next": _safe_next(next), "wrong": True}
        return _with_browser_id(request, render(request, "login.html", context, status_code=401))
    return await open_session(
        request, access.sessions, access.fingerprint, access.settings.session_hours,
        SESSION_COOKIE, _safe_next(next),
    )  # fmt: skip


async def open_session(
    request: Request, sessions: SessionStore, fingerprint: str, hours: float, cookie: str, to: str
) -> RedirectResponse:
    """A browser typed a right code: a new session in its cookie, on a redirect to `to`."""
    ttl_s = hours * 3600
    session_id = await sessions.create(fingerprint, ttl_s)
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        cookie, session_id, httponly=True, samesite="lax", max_age=int(ttl_s),
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End this browser's session."""
    await gate(request).sessions.revoke(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
