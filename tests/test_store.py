"""The share store on both engines: snippets under unguessable ids, within the run's size
limit, bounded by a per-client daily quota and a total quota, expiring by themselves.

Every test runs on SQLite and on a real PostgreSQL (`database_url` is parametrised).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import make_url

from app.config import Settings
from app.errors import NotFound, QuotaExceeded, SnippetTooLarge, StoreFull, StoreUnavailable
from app.store import Database, ShareLimits, ShareStore
from app.store.database import database_url as resolve_url
from app.store.shares import CLEANUP_BATCH, SHARE_OVERHEAD_BYTES, client_key
from tests.engines import PostgresServer

pytestmark = pytest.mark.anyio
LIMIT = 1024
NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
LIMITS = ShareLimits(
    max_code_bytes=LIMIT, client_bytes_per_day=10**9, total_bytes=10**9, ttl=timedelta(days=180)
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@contextlib.asynccontextmanager
async def opened(url: str, limits: ShareLimits = LIMITS) -> AsyncIterator[ShareStore]:
    database = Database(resolve_url(Settings(database_url=SecretStr(url))))
    await database.open()
    try:
        yield ShareStore(database, limits)
    finally:
        await database.close()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ShareStore]:
    async with opened(database_url) as share_store:
        yield share_store


def cost(code: str) -> int:
    return len(code.encode()) + SHARE_OVERHEAD_BYTES


def rows_in(database_url: str, sql: str, request: pytest.FixtureRequest) -> list[tuple]:
    """Read the tables with the engine's own client, not through the store."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with contextlib.closing(sqlite3.connect(str(url.database))) as db:
            return db.execute(sql).fetchall()
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.query(str(url.database), sql)


# ---- what is stored ------------------------------------------------------------------------


async def test_a_share_reads_back_exactly_as_written(store: ShareStore) -> None:
    code = "x = torch.ones(2)  # 中文注释\n\ty = x * 2\n\r\n'\"\\"
    created = await store.create(code, seed=2**32 - 1, client="10.0.0.1", now=NOON)
    fetched = await store.get(created.id, now=NOON)
    assert fetched == created
    assert (fetched.code, fetched.seed) == (code, 2**32 - 1)  # seeds past int4 fit
    assert fetched.created_at == NOON and fetched.created_at.tzinfo is not None
    assert fetched.expires_at == NOON + timedelta(days=180)


async def test_a_null_seed_stays_null(store: ShareStore) -> None:
    share = await store.create("a = 1", seed=None, client="c", now=NOON)
    assert (await store.get(share.id, now=NOON)).seed is None


async def test_ids_are_short_random_url_safe_and_unique(store: ShareStore) -> None:
    ids = [(await store.create(f"n = {i}", 0, "c")).id for i in range(200)]
    assert len(set(ids)) == len(ids)
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for share_id in ids:
        assert 10 <= len(share_id) <= 16 and set(share_id) <= alphabet
    # no counter in disguise: consecutive ids differ in almost every position
    for a, b in itertools.pairwise(ids):
        assert sum(x != y for x, y in zip(a, b, strict=True)) >= len(a) // 2
    for position in range(10):  # every position ranges over the alphabet
        assert len({share_id[position] for share_id in ids}) > 32


@pytest.mark.parametrize(
    ("code", "fits"),
    [
        ("x" * LIMIT, True),
        ("x" * (LIMIT + 1), False),
        ("张" * (LIMIT // 3), True),  # the limit counts UTF-8 bytes, not characters
        ("张" * (LIMIT // 3 + 1), False),
    ],
)
async def test_the_size_limit_is_the_runs_limit_in_utf8_bytes(
    store: ShareStore, code: str, fits: bool
) -> None:
    if fits:
        assert (await store.get((await store.create(code, 0, "c")).id)).code == code
    else:
        with pytest.raises(SnippetTooLarge) as raised:
            await store.create(code, 0, "c")
        assert raised.value.status_code == 413
        assert await store.stored_bytes() == 0  # a refused share costs nothing


@pytest.mark.parametrize(
    "share_id", ["AAAAAAAAAAA", "", "x", "../../etc/passwd", "a' OR '1'='1", "A" * 500, "é" * 11]
)
async def test_a_missing_or_malformed_id_is_not_found(store: ShareStore, share_id: str) -> None:
    await store.create("present = 1", 0, "c")
    with pytest.raises(NotFound) as raised:
        await store.get(share_id)
    assert raised.value.status_code == 404


async def test_shares_survive_closing_and_reopening_the_database(database_url: str) -> None:
    async with opened(database_url) as first:
        share = await first.create("kept = True", 7, "c")
    async with opened(database_url) as second:
        assert await second.get(share.id) == share
        assert await second.stored_bytes() == cost("kept = True")


async def test_the_rows_really_live_in_the_configured_engine(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    async with opened(database_url) as store:
        share = await store.create("s = 'shared'", 3, "c")
    rows = rows_in(database_url, "SELECT id, code, seed FROM shares", request)
    assert rows == [(share.id, "s = 'shared'", 3)]
    if make_url(database_url).get_backend_name() == "sqlite":
        assert rows_in(database_url, "PRAGMA journal_mode", request) == [("wal",)]


async def test_a_closed_store_refuses_to_work(database_url: str) -> None:
    async with opened(database_url) as store:
        pass
    with pytest.raises(RuntimeError, match="not open"):
        await store.create("a = 1", 0, "c")


# ---- quotas --------------------------------------------------------------------------------


async def test_a_client_is_held_to_its_bytes_per_utc_day(database_url: str) -> None:
    code = "q" * 500
    limits = ShareLimits(LIMIT, client_bytes_per_day=3 * cost(code), total_bytes=10**9,
                         ttl=timedelta(days=1))  # fmt: skip
    async with opened(database_url, limits) as store:
        for _ in range(3):
            await store.create(code, 0, "10.0.0.7", now=NOON)
        with pytest.raises(QuotaExceeded) as raised:
            await store.create(code, 0, "10.0.0.7", now=NOON)
        refused = raised.value
        assert (refused.status_code, refused.code) == (429, "quota_exceeded")
        assert "today" in refused.detail and "KiB" in refused.detail
        assert refused.headers() == {"Retry-After": str(12 * 3600 + 1)}  # until UTC midnight
        await store.create(code, 0, "10.0.0.8", now=NOON)  # another client is unaffected
        await store.create(code, 0, "10.0.0.7", now=NOON + timedelta(hours=12))  # a new day
        # what was refused was not charged: the store holds exactly the five stored
        assert await store.stored_bytes() == 5 * cost(code)


async def test_the_store_refuses_shares_past_its_total_with_507(database_url: str) -> None:
    code = "t" * 744  # 1000 bytes with the overhead
    limits = ShareLimits(LIMIT, client_bytes_per_day=10**9, total_bytes=3000, ttl=timedelta(1))
    async with opened(database_url, limits) as store:
        for client in "abc":
            await store.create(code, 0, client, now=NOON)
        with pytest.raises(StoreFull) as raised:
            await store.create("tiny = 1", 0, "d", now=NOON)
        assert (raised.value.status_code, raised.value.code) == (507, "store_full")
        assert "full" in raised.value.detail and "expire" in raised.value.detail
        assert await store.stored_bytes() == 3000


async def test_concurrent_shares_never_overshoot_the_quotas(database_url: str) -> None:
    code = "c" * 744
    limits = ShareLimits(LIMIT, client_bytes_per_day=10**9, total_bytes=10_000, ttl=timedelta(1))
    async with opened(database_url, limits) as store:

        async def attempt(n: int) -> bool:
            try:
                await store.create(code, n, f"client-{n}")
            except StoreFull:
                return False
            return True

        accepted = await asyncio.gather(*(attempt(n) for n in range(40)))
        assert sum(accepted) == 10
        assert await store.stored_bytes() == 10_000
        await store.remove_expired(now=NOON)  # the recount agrees with the running total
        assert await store.stored_bytes() == 10_000


async def test_the_usage_table_keeps_digests_not_addresses(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    async with opened(database_url) as store:
        await store.create("a = 1", 0, "192.168.7.42")
    clients = [row[0] for row in rows_in(database_url, "SELECT client FROM share_usage", request)]
    assert clients == [client_key("192.168.7.42")]
    assert "192.168" not in clients[0]


# ---- expiry --------------------------------------------------------------------------------


async def test_an_expired_share_is_gone_and_the_cleanup_frees_its_bytes(store: ShareStore) -> None:
    old = await store.create("old = 1", 0, "c", now=NOON - timedelta(days=181))
    young = await store.create("young = 1", 0, "c", now=NOON - timedelta(days=179))
    with pytest.raises(NotFound, match="expire"):
        await store.get(old.id, now=NOON)  # expired: gone before any cleanup ran
    assert await store.remove_expired(now=NOON) == 1
    assert await store.remove_expired(now=NOON) == 0
    assert (await store.get(young.id, now=NOON)).code == "young = 1"
    assert await store.stored_bytes() == cost("young = 1")


async def test_the_cleanup_deletes_in_batches_and_forgets_past_days_usage(
    database_url: str,
) -> None:
    limits = ShareLimits(LIMIT, client_bytes_per_day=10**9, total_bytes=10**9, ttl=timedelta(1))
    async with opened(database_url, limits) as store:
        await asyncio.gather(*(store.create(f"v = {n}", 0, f"c{n % 7}", now=NOON)
                               for n in range(CLEANUP_BATCH + 20)))  # fmt: skip
        later = NOON + timedelta(days=2)
        assert await store.remove_expired(now=later) == CLEANUP_BATCH + 20
        assert await store.stored_bytes() == 0
        # the day's counters are gone too: each client may share its whole quota again
        tight = ShareLimits(LIMIT, client_bytes_per_day=cost("w = 1"), total_bytes=10**9,
                            ttl=timedelta(1))  # fmt: skip
        again = ShareStore(store.database, tight)
        await again.create("w = 1", 0, "c0", now=later)


# ---- outages -------------------------------------------------------------------------------


async def test_a_database_that_goes_away_is_a_503_not_a_500(postgres: PostgresServer) -> None:
    name = postgres.create_database()
    async with opened(postgres.url(name)) as store:
        share = await store.create("a = 1", 0, "c")
        postgres.query("postgres", f'DROP DATABASE "{name}" WITH (FORCE)')
        with pytest.raises(StoreUnavailable) as raised:
            await store.get(share.id)
        assert raised.value.status_code == 503
        with pytest.raises(StoreUnavailable):
            await store.create("b = 2", 0, "c")
