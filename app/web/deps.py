"""FastAPI dependencies: the app's singletons, typed, for the routers.

They are `async def` although they never await: FastAPI runs a plain `def` dependency in its
thread pool, a thread hop on every request for what is an attribute read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.service import RunService
from app.store import Store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_service(request: Request) -> RunService:
    return request.app.state.service


def client_address(request: Request) -> str:
    """Who is asking, for the per-client rate limit: the peer address, or the first
    X-Forwarded-For hop when the server is configured to trust its own proxy."""
    settings: Settings = request.app.state.settings
    forwarded = request.headers.get("x-forwarded-for")
    if settings.trust_forwarded_for and forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


async def get_client(request: Request) -> str:
    return client_address(request)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[RunService, Depends(get_service)]
ClientDep = Annotated[str, Depends(get_client)]


async def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
