"""Login sessions in the store, on SQLite and PostgreSQL: random ids kept only as hashes,
valid under the code they were opened with until they expire, revocable, bounded."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import make_url

from app.config import Settings
from app.store import Database, StoredSessions
from app.store.database import database_url as resolve_url
from app.web.sessions import code_fingerprint
from tests.engines import PostgresServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@contextlib.asynccontextmanager
async def opened(url: str, **options: object) -> AsyncIterator[StoredSessions]:
    database = Database(resolve_url(Settings(database_url=SecretStr(url))))
    await database.open()
    try:
        yield StoredSessions(database, **options)
    finally:
        await database.close()


def stored_ids(url: str, request: pytest.FixtureRequest) -> list[str]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with contextlib.closing(sqlite3.connect(str(parsed.database))) as db:
            return [row[0] for row in db.execute("SELECT id_hash FROM sessions")]
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return [row[0] for row in postgres.query(str(parsed.database), "SELECT id_hash FROM sessions")]


async def test_sessions_are_random_expire_and_are_void_under_another_code(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    clock = Clock()
    async with opened(database_url, clock=clock) as sessions:
        old, new = code_fingerprint("old"), code_fingerprint("new")
        first, second = await sessions.create(old, 60), await sessions.create(old, 120)
        assert first != second and len(first) >= 40
        assert "old" not in first and old not in first
        assert await sessions.valid(first, old)
        assert not await sessions.valid(first, new)  # the code changed: not this session
        assert not await sessions.valid("", old) and not await sessions.valid("made-up", old)
        clock.now += timedelta(seconds=61)
        assert not await sessions.valid(first, old)  # expired
        assert await sessions.valid(second, old)
        assert await sessions.remove_expired() == 1 and await sessions.count() == 1
        assert first not in stored_ids(database_url, request)  # only hashes are kept
        assert second not in stored_ids(database_url, request)


async def test_a_teachers_session_is_no_access_session() -> None:
    assert code_fingerprint("same") != code_fingerprint("same", purpose="teacher code")


async def test_revoking_one_and_all(database_url: str) -> None:
    async with opened(database_url) as sessions:
        ids = [await sessions.create("f", 60) for _ in range(3)]
        await sessions.revoke(ids[0])
        assert [await sessions.valid(i, "f") for i in ids] == [False, True, True]
        await sessions.revoke_all()
        assert await sessions.count() == 0


async def test_the_table_is_bounded(database_url: str) -> None:
    clock = Clock()
    async with opened(database_url, max_sessions=10, clock=clock) as sessions:
        ids = []
        for _ in range(25):
            clock.now += timedelta(seconds=1)
            ids.append(await sessions.create("f", 3600))
        assert await sessions.count() <= 10
        assert await sessions.valid(ids[-1], "f") and not await sessions.valid(ids[0], "f")


async def test_a_session_opened_on_one_server_is_valid_on_another(database_url: str) -> None:
    async with opened(database_url) as one, opened(database_url) as other:
        session = await one.create("f", 60)
        assert await other.valid(session, "f")
        await other.revoke(session)
        assert not await one.valid(session, "f")
