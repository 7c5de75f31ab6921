"""The JSON API under /api/v1 (contract: ../shared/API.md). JSON in, JSON out, nothing else."""

from __future__ import annotations

import platform

from fastapi import APIRouter, Response

from app import __version__
from app.schemas import Health, RunRequest, RunResponse
from app.web.deps import ClientDep, ServiceDep

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.post("/run", response_model=RunResponse)
async def run(request: RunRequest, service: ServiceDep, client: ClientDep) -> Response:
    """Run a snippet in the sandbox and report what it did to every tensor."""
    report = await service.run(request, client)
    # Already validated field by field; serialising it once more through FastAPI's
    # response_model would validate it twice on the latency-critical path.
    return Response(report.model_dump_json(), media_type="application/json")


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
            "uid_per_run": bool(executor.info.get("uid_per_run")),
            "seccomp": bool(executor.info.get("seccomp")),
            "restarts": executor.restarts,
        },
    )
