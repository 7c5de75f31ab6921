"""The schema: built by the migrations, equal to what the code describes, on both engines;
upgraded at start (once, however many replicas start together); a database that a newer
release migrated is refused with a message saying what to do; old data dirs are adopted."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import SecretStr
from sqlalchemy import Connection, create_engine, make_url, text

from app.config import Settings
from app.store import Database, SchemaError
from app.store.database import database_url as resolve_url
from app.store.database import head_revision
from app.store.schema import metadata
from app.store.shares import SHARE_OVERHEAD_BYTES, ShareLimits, ShareStore
from tests.engines import PostgresServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def database(url: str) -> Database:
    return Database(resolve_url(Settings(database_url=SecretStr(url))))


def diff_with_the_code(connection: Connection) -> list:
    context = MigrationContext.configure(connection)
    return compare_metadata(context, metadata)


async def test_the_migrations_build_exactly_the_schema_the_code_describes(
    database_url: str,
) -> None:
    db = database(database_url)
    assert await db.open() == head_revision()
    await db.close()
    engine = create_engine(database_url)  # the sync drivers, to inspect what was built
    with engine.connect() as connection:
        assert diff_with_the_code(connection) == []
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == head_revision()


async def test_opening_again_changes_nothing(database_url: str) -> None:
    for _ in range(2):
        db = database(database_url)
        assert await db.open() == head_revision()
        await db.close()


async def test_replicas_starting_together_migrate_once(postgres: PostgresServer) -> None:
    url = postgres.url(postgres.create_database())
    replicas = [database(url) for _ in range(4)]
    revisions = await asyncio.gather(*(replica.open() for replica in replicas))
    assert revisions == [head_revision()] * 4
    for replica in replicas:
        await replica.close()
    name = str(make_url(url).database)
    assert postgres.query(name, "SELECT count(*) FROM alembic_version") == [(1,)]


async def test_a_schema_from_a_newer_release_is_refused_with_what_to_do(database_url: str) -> None:
    db = database(database_url)
    await db.open()
    async with db.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    await db.close()
    with pytest.raises(SchemaError) as refused:
        await database(database_url).open()
    message = str(refused.value)
    assert "'9999_future'" in message and "newer release" in message
    assert head_revision() in message


def test_the_server_refuses_to_start_on_a_newer_schema(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("db", "upgrade", data_dir=data).returncode == 0
    with contextlib.closing(sqlite3.connect(data / "playground.sqlite3")) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9999_future'")
    refused = run_cli("db", "upgrade", data_dir=data)
    assert refused.returncode == 2 and "'9999_future'" in refused.stderr
    server = run_cli("serve", "--port", "1", data_dir=data)  # refused before it binds
    assert server.returncode != 0
    assert "'9999_future'" in server.stderr and "newer release" in server.stderr


def run_cli(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "tensor-playground"
    environment = {"PATH": "/usr/bin:/bin", "PLAYGROUND_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [command, *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_db_upgrade_migrates_a_fresh_database_and_says_so(tmp_path: Path) -> None:
    done = run_cli("db", "upgrade", data_dir=tmp_path / "fresh")
    assert done.returncode == 0, done.stderr
    assert f"schema at revision {head_revision()}" in done.stdout
    with contextlib.closing(sqlite3.connect(tmp_path / "fresh" / "playground.sqlite3")) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"shares", "share_usage", "share_totals", "alembic_version"} <= tables


def test_db_upgrade_hides_the_password_and_refuses_unknown_engines(tmp_path: Path) -> None:
    refused = run_cli("db", "upgrade", data_dir=tmp_path,
                      PLAYGROUND_DATABASE_URL="mysql://u:secret@h/db")  # fmt: skip
    assert refused.returncode == 2
    assert "postgresql+psycopg://" in refused.stderr and "secret" not in refused.stderr


async def test_a_data_dir_from_before_migrations_keeps_its_shares(tmp_path: Path) -> None:
    path = tmp_path / "playground.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as old, old:
        old.execute(LEGACY_SCHEMA)  # exactly what the store created before migrations
        old.execute("INSERT INTO shares (id, code, seed) VALUES ('oldShare_01', 'x = 中', 4)")
        old.execute(
            "INSERT INTO shares (id, code, seed, created_at) "
            "VALUES ('oldShare_02', 'y = 2', NULL, '2026-01-02T03:04:05Z')"
        )
    db = database(f"sqlite:///{path}")
    await db.open()
    store = ShareStore(db, ShareLimits.from_settings(Settings()))
    first, second = await store.get("oldShare_01"), await store.get("oldShare_02")
    assert (first.code, first.seed) == ("x = 中", 4)
    assert (second.code, second.seed) == ("y = 2", None)
    assert second.created_at.isoformat() == "2026-01-02T03:04:05+00:00"
    sizes = len("x = 中".encode()) + len(b"y = 2") + 2 * SHARE_OVERHEAD_BYTES
    assert await store.stored_bytes() == sizes
    await db.close()


LEGACY_SCHEMA = """
CREATE TABLE IF NOT EXISTS shares (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    seed INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""
