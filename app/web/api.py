"""The JSON API under /api/v1 (contract: ../shared/API.md). JSON in, JSON out, nothing else."""

from __future__ import annotations

import platform
from typing import Any

from fastapi import APIRouter, Response

from app import __version__
from app.errors import NotFound
from app.fixcheck import attach_fix_check
from app.lessons import TOPICS, find_lesson, library
from app.schemas import Health, RunRequest, RunResponse
from app.web.deps import ClientDep, ServiceDep

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.post("/run", response_model=RunResponse)
async def run(request: RunRequest, service: ServiceDep, client: ClientDep) -> Response:
    """Run a snippet in the sandbox and report what it did to every tensor."""
    report = await service.run(request, client)
    report = await attach_fix_check(service, request, report, client)  # issue 11: fixes that ran
    # Already validated field by field; serialising it once more through FastAPI's
    # response_model would validate it twice on the latency-critical path.
    return Response(report.model_dump_json(), media_type="application/json")


@router.get("/lessons")
async def lessons() -> dict[str, Any]:
    """Every lesson's metadata, in teaching order, with the topics they are grouped in."""
    return {
        "topics": [{"id": t, "title": en, "title_zh": zh} for t, en, zh in TOPICS],
        "lessons": [lesson.to_json(with_code=False) for lesson in library()],
    }


@router.get("/lessons/{lesson_id}")
async def lesson(lesson_id: str) -> dict[str, Any]:
    """One lesson with its code, ready to send back to POST /api/v1/run."""
    found = find_lesson(lesson_id)
    if found is None:
        raise NotFound(f"there is no lesson called {lesson_id!r}")
    return found.to_json(with_code=True)


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
            **{k: v for k, v in executor.info.items() if k not in ("torch", "python")},
            "restarts": executor.restarts,
        },
    )
