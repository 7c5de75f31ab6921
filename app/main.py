"""`create_app(settings)`: the ASGI app. `app` is the instance uvicorn serves."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from app import __version__
from app.config import Settings
from app.errors import PlaygroundError
from app.metrics import Metrics
from app.sandbox.executor import PROJECT_ROOT, ForkServerExecutor
from app.service import RunService
from app.store import ShareStore
from app.web import access, api, fixcheck, ops, pages
from app.web.access import AccessCodeMiddleware
from app.web.accesslog import AccessLogMiddleware


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    executor = ForkServerExecutor(
        settings.run_limits(),
        slot_count=settings.max_runs + 1,  # a spare slot is ready while one resets
        cache_dir=settings.data_dir.resolve() / "cache",
        hidden=[PROJECT_ROOT, settings.data_dir.resolve()],
        allow_unsandboxed=settings.allow_unsandboxed,
    )
    store = ShareStore(settings.data_dir / "playground.sqlite3", settings.max_code_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        store.open()
        await executor.start()
        try:
            yield
        finally:
            await executor.stop()
            store.close()

    app = FastAPI(
        title="Tensor Playground",
        version=__version__,
        description="Run PyTorch snippets in a sandbox and see every tensor. "
        "Contract: shared/API.md.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    metrics = Metrics()
    app.state.metrics = metrics
    app.state.service = RunService(settings, executor, metrics)
    app.state.store = store
    app.state.templates = pages.build_templates()
    app.include_router(api.router)
    app.include_router(ops.router)
    app.include_router(access.router)
    app.add_middleware(AccessCodeMiddleware)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(pages.router)
    app.include_router(fixcheck.router)  # issue 11: the page's fix check
    app.mount("/static", StaticFiles(directory=pages.ROOT / "static"), name="static")
    install_error_handlers(app)
    return app


def wants_html(request: Request) -> bool:
    """A browser asking for a page; the API under /api answers JSON whatever it is asked."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def install_error_handlers(app: FastAPI) -> None:
    """One JSON shape, `{"error": code, "detail": ...}`, for every non-200 answer.

    A browser asking for HTML gets the same facts as `error.html` instead.
    """

    @app.exception_handler(PlaygroundError)
    async def playground_error(request: Request, exc: PlaygroundError) -> Response:
        if wants_html(request):
            return pages.error_page(request, exc.status_code, exc.detail, exc.headers())
        return JSONResponse(
            {"error": exc.code, "detail": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers(),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> Response:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        if wants_html(request):
            text = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
            return pages.error_page(request, 422, text)
        return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if wants_html(request):
            return pages.error_page(request, exc.status_code, str(exc.detail), exc.headers)
        return await http_exception_handler(request, exc)


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
