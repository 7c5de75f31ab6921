"""FastAPI dependencies: the app's singletons, typed, for the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.service import RunService


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> RunService:
    return request.app.state.service


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[RunService, Depends(get_service)]
