"""Operations endpoints for whoever runs the box: Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from app.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    """Runs by outcome, run latency, rejections, live gauges and the process' own
    resources, in the Prometheus text format."""
    return PlainTextResponse(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
