"""The database behind the store: one async engine per process, its schema kept current.

`PLAYGROUND_DATABASE_URL` picks the engine; unset, it is SQLite in the data dir (WAL) for
one box, and `postgresql+psycopg://` is PostgreSQL for replicas. Access goes through
SQLAlchemy's asyncio extension: psycopg 3 speaks to PostgreSQL asynchronously itself and
aiosqlite runs each SQLite connection in a thread of its own, so a slow query or a held lock
waits without ever blocking the event loop (a thread pool around sync calls would do the
same for SQLite but hold a thread per waiting query on PostgreSQL).

Schema: `open()` upgrades it to the newest migration before the server takes requests,
under a lock (PostgreSQL's advisory lock, SQLite's write lock), so replicas starting
together migrate once; a database migrated by a newer release is refused, with the
revision named, rather than served by code that does not know its tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.config import Settings
from app.errors import StoreUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_FILE = "playground.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATION_LOCK = 0x7E45_0125  # any constant: the key of PostgreSQL's advisory lock
log = logging.getLogger("tensor_playground.store")


class SchemaError(RuntimeError):
    """The database's schema is one this code cannot serve; the message says what to do."""


def database_url(settings: Settings) -> URL:
    """The async driver's URL: SQLite in the data dir unless a URL is configured."""
    if settings.database_url is None:
        return URL.create("sqlite+aiosqlite", database=str(settings.data_dir / SQLITE_FILE))
    url = make_url(settings.database_url.get_secret_value())
    drivers = {
        "postgresql": "postgresql+psycopg",
        "postgresql+psycopg": "postgresql+psycopg",
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
    }
    if url.drivername not in drivers:
        raise SchemaError(
            f"PLAYGROUND_DATABASE_URL names {url.drivername!r}; use postgresql+psycopg://... "
            "or sqlite:///path (or leave it unset for SQLite in the data dir)"
        )
    return url.set(drivername=drivers[url.drivername])


class Database:
    """An `AsyncEngine` with the SQLite settings applied and the schema checked at open."""

    def __init__(self, url: URL, pool_size: int = 5) -> None:
        self.url = url
        self.pool_size = pool_size
        self._engine: AsyncEngine | None = None

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the store is not open")
        return self._engine

    def describe(self) -> str:
        """The URL without its password, for logs."""
        return self.url.render_as_string(hide_password=True)

    async def open(self) -> str:
        """Connect, bring the schema to the newest revision; return that revision."""
        if self.dialect == "sqlite":
            Path(self.url.database or "").parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            engine = create_async_engine(self.url, pool_size=1, max_overflow=0, pool_timeout=60)
            _sqlite_transactions(engine)
        else:
            engine = create_async_engine(
                self.url, pool_size=self.pool_size, max_overflow=0, pool_pre_ping=True
            )
        self._engine = engine
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(upgrade_schema)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @contextlib.asynccontextmanager
    async def transaction(self, *, snapshot: bool = False) -> AsyncIterator[AsyncConnection]:
        """One transaction; a database that cannot be reached is a 503, never a 500.

        `snapshot`: every statement sees the same moment. PostgreSQL's default (READ
        COMMITTED) lets each statement see what others committed meanwhile, so such a
        transaction runs REPEATABLE READ there; SQLite's transactions always see one moment.
        """
        try:
            async with self.engine.connect() as connection:
                if snapshot and self.dialect == "postgresql":
                    await connection.execution_options(isolation_level="REPEATABLE READ")
                async with connection.begin():
                    yield connection
        except PoolTimeout as exc:
            raise StoreUnavailable(f"the database is unavailable: {type(exc).__name__}") from None
        except DBAPIError as exc:
            if exc.connection_invalidated or _is_connection_error(exc):
                raise StoreUnavailable("the database is unavailable; try again") from None
            raise


def _is_connection_error(exc: DBAPIError) -> bool:
    """psycopg's OperationalError (connection refused, server gone) and SQLite's 'database
    is locked' past its busy timeout: the store is unavailable, the request was fine."""
    return type(exc.orig).__name__ in {"OperationalError", "InterfaceError"}


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """Real transactions on SQLite (SQLAlchemy's recipe): sqlite3's own BEGIN is turned off
    and every transaction starts with BEGIN IMMEDIATE, so a transaction that reads before
    it writes can never meet another process's write lock half-way (a deadlock SQLite
    reports at once instead of waiting), and migrations' DDL is transactional too."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never torn
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def upgrade_schema(connection: Connection) -> str:
    """Upgrade to the newest revision in `connection`'s transaction; refuse a newer schema."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = alembic_config(connection)
    script = ScriptDirectory.from_config(config)
    for current in MigrationContext.configure(connection).get_current_heads():
        try:
            script.get_revision(current)
        except CommandError:
            raise SchemaError(
                f"the database's schema is at revision {current!r}, which this version of "
                f"tensor-playground does not know (it knows up to {script.get_current_head()!r}): "
                "a newer release migrated it. Run that release, or restore a backup taken "
                "before its upgrade."
            ) from None
    command.upgrade(config, "head")
    return head_revision()


def upgrade_command(settings: Settings) -> int:
    """`tensor-playground db upgrade`: what the server does at start, without serving (to
    migrate before a rollout, or to see that it can). Exit status 0 or 2."""

    async def upgrade() -> str:
        database = Database(database_url(settings), pool_size=1)
        try:
            return await database.open()
        finally:
            await database.close()

    try:
        url = database_url(settings)
        revision = asyncio.run(upgrade())
    except SchemaError as exc:
        print(f"tensor-playground: {exc}", file=sys.stderr)
        return 2
    print(f"{url.render_as_string(hide_password=True)}: schema at revision {revision} (newest)")
    return 0
