"""`create_app(settings)`: the ASGI app. `app` is the instance uvicorn serves."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app import __version__
from app.config import Settings
from app.errors import PlaygroundError
from app.sandbox.executor import ForkServerExecutor
from app.service import RunService
from app.web import api


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    executor = ForkServerExecutor(
        settings.run_limits(),
        pool_size=settings.pool_size,
        cache_dir=settings.data_dir.resolve() / "cache",
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await executor.start()
        try:
            yield
        finally:
            await executor.stop()

    app = FastAPI(
        title="Tensor Playground",
        version=__version__,
        description="Run PyTorch snippets in a sandbox and see every tensor. "
        "Contract: shared/API.md.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = RunService(settings, executor)
    app.include_router(api.router)
    install_error_handlers(app)
    return app


def install_error_handlers(app: FastAPI) -> None:
    """One JSON shape, `{"error": code, "detail": ...}`, for every non-200 answer."""

    @app.exception_handler(PlaygroundError)
    async def playground_error(request: Request, exc: PlaygroundError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.code, "detail": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers(),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=422)


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
