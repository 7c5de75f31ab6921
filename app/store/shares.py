"""Share links: a snippet and its seed under an unguessable id, in a bounded store.

A share is immutable once written, so a permalink reopens exactly what was shared, until
it expires. Ids come from `secrets`, never a counter, so nobody walks the table by guessing
neighbours. Each share is charged its UTF-8 size plus a fixed overhead (so empty snippets
are not free) against two quotas, both taken in the share's own transaction so concurrent
requests on any number of replicas cannot overshoot them: the client's bytes for the UTC
day (429) and the store's total (507).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Insert, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.errors import NotFound, QuotaExceeded, SnippetTooLarge, StoreFull
from app.store.database import Database
from app.store.schema import share_totals, share_usage, shares

ID_BYTES = 8
"""`token_urlsafe(8)`: 11 characters carrying 64 random bits."""
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,32}")
SHARE_OVERHEAD_BYTES = 256
"""What a share costs beyond its code: the row, its index entries, the usage counter."""
CLEANUP_BATCH = 500
_INSERT_ATTEMPTS = 5
MiB = 1024 * 1024


@dataclass(slots=True, frozen=True)
class Share:
    id: str
    code: str
    seed: int | None
    created_at: datetime
    expires_at: datetime


@dataclass(slots=True, frozen=True)
class ShareLimits:
    max_code_bytes: int
    client_bytes_per_day: int
    total_bytes: int
    ttl: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> ShareLimits:
        return cls(
            max_code_bytes=settings.max_code_bytes,
            client_bytes_per_day=settings.share_quota_client_kib * 1024,
            total_bytes=settings.share_quota_total_mb * MiB,
            ttl=timedelta(days=settings.share_ttl_days),
        )


def client_key(client: str) -> str:
    """What the usage table keeps of a client: a digest, so the table lists no addresses."""
    return hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()


def share_cost(code: str) -> int:
    return len(code.encode("utf-8")) + SHARE_OVERHEAD_BYTES


def now_utc() -> datetime:
    return datetime.now(UTC)


class ShareStore:
    """The shares of one `Database`; every method is a coroutine and one transaction."""

    def __init__(self, database: Database, limits: ShareLimits) -> None:
        self.database = database
        self.limits = limits

    async def create(
        self, code: str, seed: int | None, client: str, now: datetime | None = None
    ) -> Share:
        """Store a snippet for `client`, charged against its day's quota and the store's.

        `SnippetTooLarge` (413) above the run's size limit, `QuotaExceeded` (429) past the
        client's bytes for the day, `StoreFull` (507) past the store's total.
        """
        size = len(code.encode("utf-8"))
        if size > self.limits.max_code_bytes:
            raise SnippetTooLarge(
                f"the snippet is {size} bytes; the limit is {self.limits.max_code_bytes}"
            )
        now = now or now_utc()
        cost = share_cost(code)
        for _ in range(_INSERT_ATTEMPTS):
            share = Share(secrets.token_urlsafe(ID_BYTES), code, seed, now, now + self.limits.ttl)
            try:
                async with self._transaction() as connection:
                    await self._charge_client(connection, client_key(client), now, cost)
                    await self._charge_store(connection, cost)
                    row = {
                        "id": share.id, "code": code, "seed": seed, "size_bytes": cost,
                        "created_at": share.created_at, "expires_at": share.expires_at,
                    }  # fmt: skip
                    await connection.execute(insert(shares).values(row))
            except IntegrityError:
                continue  # 2^-64 per try: a collision is a bug in `secrets`, not bad luck
            return share
        raise RuntimeError("could not find an unused share id")

    async def get(self, share_id: str, now: datetime | None = None) -> Share:
        """The share with this id; `NotFound` (404) when there is none or it has expired."""
        if ID_PATTERN.fullmatch(share_id):
            query = select(
                shares.c.id, shares.c.code, shares.c.seed, shares.c.created_at,
                shares.c.expires_at,
            ).where(shares.c.id == share_id, shares.c.expires_at > (now or now_utc()))  # fmt: skip
            async with self._transaction() as connection:
                row = (await connection.execute(query)).first()
            if row is not None:
                return Share(*row)
        raise NotFound(f"no shared snippet has the id {share_id!r} (links expire)")

    async def remove_expired(self, now: datetime | None = None) -> int:
        """Delete expired shares and past days' usage; recount the total. Safe to run on
        every replica at once: each row is deleted once, and the recount is exact."""
        now = now or now_utc()
        removed = 0
        while True:
            async with self._transaction() as connection:
                expired = (
                    select(shares.c.id)
                    .where(shares.c.expires_at <= now)
                    .limit(CLEANUP_BATCH)
                    .scalar_subquery()
                )
                result = await connection.execute(delete(shares).where(shares.c.id.in_(expired)))
            removed += result.rowcount
            if result.rowcount < CLEANUP_BATCH:
                break
        async with self._transaction() as connection:
            await connection.execute(delete(share_usage).where(share_usage.c.day < now.date()))
            await self._recount(connection)
        return removed

    async def stored_bytes(self) -> int:
        async with self._transaction() as connection:
            return (await connection.execute(select(share_totals.c.bytes))).scalar_one()

    # ---- quotas ----------------------------------------------------------------------------

    async def _charge_client(
        self, connection: AsyncConnection, client: str, now: datetime, cost: int
    ) -> None:
        limit = self.limits.client_bytes_per_day
        day = now.date()
        statement = self._upsert(connection).values(client=client, day=day, bytes=cost)
        statement = statement.on_conflict_do_update(
            index_elements=[share_usage.c.client, share_usage.c.day],
            set_={"bytes": share_usage.c.bytes + cost},
            where=share_usage.c.bytes + cost <= limit,
        ).returning(share_usage.c.bytes)
        if cost > limit or (await connection.execute(statement)).first() is None:
            raise QuotaExceeded(
                f"this client has stored its {limit // 1024} KiB of share links for today "
                f"(UTC); this one needs {cost} bytes. Try again tomorrow.",
                seconds_until_tomorrow(now, day),
            )

    async def _charge_store(self, connection: AsyncConnection, cost: int) -> None:
        limit = self.limits.total_bytes
        taken = await connection.execute(
            update(share_totals)
            .where(share_totals.c.id == 1, share_totals.c.bytes + cost <= limit)
            .values(bytes=share_totals.c.bytes + cost)
        )
        if taken.rowcount != 1:
            raise StoreFull(
                f"the share store is full ({limit // MiB} MiB); links expire after "
                f"{self.limits.ttl.days} days and free their space"
            )

    async def _recount(self, connection: AsyncConnection) -> None:
        """Set the total to the sum of the shares, with the total's row locked first so no
        share is charged between the sum and the write (shares deleted by hand included)."""
        locked = select(share_totals.c.id).where(share_totals.c.id == 1)
        if connection.dialect.name == "postgresql":
            locked = locked.with_for_update()
        await connection.execute(locked)
        total = select(func.coalesce(func.sum(shares.c.size_bytes), 0)).scalar_subquery()
        await connection.execute(
            update(share_totals).where(share_totals.c.id == 1).values(bytes=total)
        )

    @staticmethod
    def _upsert(connection: AsyncConnection) -> Insert:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        return dialect.insert(share_usage)

    def _transaction(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        return self.database.transaction()


def seconds_until_tomorrow(now: datetime, day: date) -> int:
    tomorrow = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    return max(1, int((tomorrow - now).total_seconds()) + 1)
