"""The ASGI app. `create_app(settings)` builds one; `app` is what `uvicorn app.main:app`
serves, built from the environment the first time it is used, never at import.

Importing this module reads no setting and starts nothing, so the CLI can apply its flags
first (`tensor-playground serve --workers 2` under a bad `PLAYGROUND_MAX_RUNS`), and
uvicorn's worker processes each build their own app.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app import __version__, classroom, resources
from app.config import Settings
from app.logs import configure_logging
from app.metrics import Metrics
from app.sandbox.executor import ForkServerExecutor
from app.service import RunService
from app.store import Store
from app.web import access, api, assets, docs, error_handler, fixcheck, ops, pages, shares
from app.web.access import AccessCodeMiddleware, AccessGate
from app.web.accesslog import AccessLogMiddleware
from app.web.guard import RequestGuard
from app.web.headers import SecurityHeaders
from app.web.runtime import limit_accept_error_logs, raise_fd_limit, raise_priority

log = logging.getLogger("tensor_playground.server")


def create_app(settings: Settings | None = None) -> FastAPI:
    configure_logging()
    settings = settings or Settings()
    executor = ForkServerExecutor(
        settings.run_limits(),
        # a slot for every fresh and every long run, and a spare ready while one resets
        slot_count=settings.max_runs + settings.max_long_runs + 1,
        cache_dir=settings.data_dir.resolve() / "cache",
        hidden=[*resources.secret_dirs(), settings.data_dir.resolve()],
        allow_unsandboxed=settings.allow_unsandboxed,
    )
    store = Store(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        soft, hard = raise_fd_limit()
        raise_priority()
        limit_accept_error_logs()
        log.info("%s", settings.profile_summary())
        log.info(
            "limits: %d runs at once, body %d bytes in %g s, head %g s, keep-alive %d s, "
            "open files %d (hard %d)",
            settings.max_runs, settings.max_body_bytes, settings.body_timeout_s,
            settings.header_timeout_s, settings.keepalive_s, soft, hard,
        )  # fmt: skip
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        await store.open()
        await executor.start()
        try:
            yield
        finally:
            await executor.stop()
            await store.close()

    app = FastAPI(
        title="Tensor Playground",
        version=__version__,
        description="Run PyTorch snippets in a sandbox and see every tensor. "
        'Contract: shared/API.md. Every error answer is `{"error": code, "detail": ...}`.',
        lifespan=lifespan,
        docs_url=None,  # app.web.docs serves /docs from vendored files instead
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.service = RunService(settings, executor, metrics)
    app.state.store = store
    app.state.shares = shares.ShareService(settings, store.shares, app.state.service.check_source)
    app.state.templates = pages.build_templates()
    app.state.access = AccessGate(settings, store.sessions)
    responses = error_handler.openapi_responses()
    app.include_router(api.router, responses=responses)
    app.include_router(shares.router, responses=responses)
    app.include_router(ops.router, responses=responses)
    if settings.teacher_code is not None:
        classroom.install(app, settings, store, responses)
    app.include_router(access.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    app.include_router(fixcheck.router)  # issue 11: the page's fix check
    app.mount("/static", assets.for_directory(resources.STATIC_DIR), name="static")
    # Outermost last: the access log sees every answer, the headers go on every one.
    app.add_middleware(AccessCodeMiddleware)
    app.add_middleware(RequestGuard)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLogMiddleware)
    error_handler.install(app)
    return app


class LazyApp:
    """An ASGI app that builds the real one from the environment on its first call."""

    def __init__(self) -> None:
        self._app: FastAPI | None = None

    def built(self) -> FastAPI:
        if self._app is None:
            self._app = create_app()
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.built()(scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.built(), name)


app = LazyApp()
