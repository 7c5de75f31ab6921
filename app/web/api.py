"""The JSON API under /api/v1 (contract: ../shared/API.md). JSON in, JSON out, nothing else."""

from __future__ import annotations

import platform
from typing import Any

from fastapi import APIRouter, Response

from app import __version__
from app.errors import NotFound
from app.fixcheck import attach_fix_check
from app.lessons import course, find_lesson, glossary, library, neighbours, recap, topics
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
    return Response(
        report.model_dump_json(),
        media_type="application/json",
        headers={"Server-Timing": server_timing(report.timings)},
    )


def server_timing(timings: dict[str, float]) -> str:
    """The run's stages for the browser's network panel (names are ours, numbers floats)."""
    return ", ".join(f"{name};dur={ms:.3f}" for name, ms in timings.items())


@router.get("/lessons")
async def lessons() -> dict[str, Any]:
    """Every lesson's metadata in course order, the topics (with their recap) and the seeds."""
    found = course()
    seeds = [
        {"file": seed.file, "title": seed.title, "title_en": seed.title_en, "url": seed.url}
        for seed in (found.seeds.values() if found else ())
    ]
    return {
        "topics": [
            {"id": topic.id, "title": topic.title, "title_zh": topic.title_zh,
             "recap": f"/api/v1/recaps/{topic.id}" if topic.has_recap else None}
            for topic in topics()
        ],
        "lessons": [lesson.to_json(with_code=False) for lesson in library()],
        "seeds": seeds,
    }  # fmt: skip


@router.get("/lessons/{lesson_id}")
async def lesson(lesson_id: str) -> dict[str, Any]:
    """One lesson with its code (and Chinese code), ready to send back to POST /api/v1/run.

    An id a lesson had before a merge or a move finds it too; `id` is then the current one.
    """
    found = find_lesson(lesson_id)
    if found is None:
        raise NotFound(f"there is no lesson called {lesson_id!r}")
    previous, following = neighbours(found.id)
    return {**found.to_json(with_code=True), "previous": previous, "next": following}


@router.get("/recaps/{topic}")
async def topic_recap(topic: str) -> dict[str, Any]:
    """A topic's one-screen cheat sheet, in English and Chinese."""
    sheet = recap(topic)
    if sheet is None:
        raise NotFound(f"there is no recap for a topic called {topic!r}")
    return sheet


@router.get("/glossary")
async def terms() -> dict[str, Any]:
    """The English-Chinese terms the lessons use, with the renderings they avoid."""
    return {"terms": list(glossary())}


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
