"""The JSON API under /api/v1 (contract: ../shared/API.md). JSON in, JSON out, nothing else."""

from __future__ import annotations

import platform

from fastapi import APIRouter

from app import __version__
from app.schemas import Health, RunRequest, RunResponse
from app.web.deps import ServiceDep

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.post("/run", response_model=RunResponse, response_model_exclude_none=False)
async def run(request: RunRequest, service: ServiceDep) -> RunResponse:
    """Run a snippet in the sandbox and report what it did to every tensor."""
    return await service.run(request)


@router.get("/health", response_model=Health)
async def health(service: ServiceDep) -> Health:
    """Whether runs can be served now, and what the server runs on."""
    executor = service.executor
    return Health(
        status="ok" if executor.alive else "degraded",
        executor_alive=executor.alive,
        runs_in_flight=service.admission.running,
        runs_queued=service.admission.waiting,
        version=__version__,
        torch_version=executor.info.get("torch"),
        python_version=platform.python_version(),
        isolation={
            "namespaces": bool(executor.info.get("namespaces")),
            "restarts": executor.restarts,
        },
    )
