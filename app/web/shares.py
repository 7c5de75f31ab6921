"""Share links over HTTP: `POST /api/v1/shares`, `GET /api/v1/shares/{id}` (../shared/API.md),
and `ShareService`, the one path the page's Share button takes too.

Links are absolute URLs built from the configured public address, never from the
request's `Host`: behind a proxy `Host` names the proxy's upstream, and any client can
forge it into a link that others then follow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.config import Settings
from app.errors import RateLimited
from app.ratelimit import RateLimiter
from app.store import Share, ShareStore
from app.web.deps import ClientDep


class ShareService:
    """Validates a snippet as a run would, applies the per-client share rate (per replica:
    a load balancer keyed by client address keeps it meaningful), stores, builds links."""

    def __init__(
        self, settings: Settings, store: ShareStore, check_source: Callable[[str], None]
    ) -> None:
        self.store = store
        self.check_source = check_source
        self.base_url = settings.public_base_url()
        self.rate_limiter = RateLimiter(settings.share_rate_per_minute, settings.share_rate_burst)

    async def create(self, code: str, seed: int | None, client: str) -> Share:
        self.check_source(code)
        wait = self.rate_limiter.take(client)
        if wait:
            raise RateLimited(
                "too many share links from this client; slow down",
                self.rate_limiter.retry_after_s(wait),
            )
        return await self.store.create(code, seed, client)

    async def get(self, share_id: str) -> Share:
        return await self.store.get(share_id)

    def url(self, share_id: str) -> str:
        return f"{self.base_url}/s/{share_id}"


async def get_shares(request: Request) -> ShareService:
    return request.app.state.shares


SharesDep = Annotated[ShareService, Depends(get_shares)]
router = APIRouter(prefix="/api/v1", tags=["shares"])


class ShareRequest(BaseModel):
    """Body of `POST /api/v1/shares`."""

    model_config = ConfigDict(extra="ignore")

    code: StrictStr = Field(description="The snippet, UTF-8 Python source.")
    seed: StrictInt | None = Field(
        0, ge=0, lt=2**32, description="The seed it runs with when reopened; null: fresh."
    )


class ShareCreated(BaseModel):
    id: str
    url: str = Field(description="The permalink page, absolute, from PLAYGROUND_PUBLIC_URL.")
    created_at: str
    expires_at: str


class SharedSnippet(ShareCreated):
    code: str
    seed: int | None


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@router.post("/shares", status_code=201, response_model=ShareCreated)
async def create_share(body: ShareRequest, shares: SharesDep, client: ClientDep) -> ShareCreated:
    """Store a snippet and its seed; answer with the permalink. 413 over the run's size
    limit, 429 past this client's rate or daily quota, 507 when the store is full."""
    saved = await shares.create(body.code, body.seed, client)
    return ShareCreated(
        id=saved.id, url=shares.url(saved.id),
        created_at=timestamp(saved.created_at), expires_at=timestamp(saved.expires_at),
    )  # fmt: skip


@router.get("/shares/{share_id}", response_model=SharedSnippet)
async def get_share(share_id: str, shares: SharesDep) -> SharedSnippet:
    """A stored snippet with its seed; 404 when there is none or it has expired."""
    saved = await shares.get(share_id)
    return SharedSnippet(
        id=saved.id, url=shares.url(saved.id), code=saved.code, seed=saved.seed,
        created_at=timestamp(saved.created_at), expires_at=timestamp(saved.expires_at),
    )  # fmt: skip
