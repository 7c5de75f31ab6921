"""The store: everything the server keeps beyond one request, in one database.

`Store(settings)` is what the app opens at start and closes at exit: the database (schema
upgraded on open), the tables' stores (`shares`, `sessions`; the classroom's own store lives
in app/classroom/ and registers its cleanup here), and the housekeeping that expires old rows
by itself. Nothing here lives only
in one process's memory, so any replica can answer any request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.errors import StoreUnavailable
from app.store.database import Database, SchemaError, database_url
from app.store.sessions import StoredSessions
from app.store.shares import Share, ShareLimits, ShareStore

__all__ = [
    "Database",
    "SchemaError",
    "Share",
    "ShareLimits",
    "ShareStore",
    "Store",
    "StoredSessions",
]
log = logging.getLogger("tensor_playground.store")


class Store:
    def __init__(self, settings: Settings) -> None:
        self.database = Database(database_url(settings), settings.database_pool_size)
        self.shares = ShareStore(self.database, ShareLimits.from_settings(settings))
        self.sessions = StoredSessions(self.database)
        self.cleanup_interval_s = settings.share_cleanup_interval_s
        self.cleanups: list[tuple[str, Callable[[], Awaitable[int]]]] = [
            ("expired share links", self.shares.remove_expired),
            ("expired login sessions", self.sessions.remove_expired),
        ]
        """What each round of housekeeping deletes: (what, a coroutine returning a count)."""
        self._housekeeping: asyncio.Task[None] | None = None

    async def open(self) -> None:
        try:
            revision = await self.database.open()
        except SchemaError as exc:
            log.critical("store: %s", exc)
            raise
        except DBAPIError as exc:
            log.critical("store: cannot use %s: %s", self.database.describe(), exc.orig)
            raise
        log.info("store: %s, schema at revision %s", self.database.describe(), revision)
        self._housekeeping = asyncio.create_task(self._expire_forever(), name="store-cleanup")

    async def close(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        await self.database.close()

    async def _expire_forever(self) -> None:
        """Delete expired rows now and every interval; a database outage skips a round."""
        while True:
            for what, cleanup in self.cleanups:
                try:
                    removed = await cleanup()
                except StoreUnavailable as exc:
                    log.warning("store cleanup skipped: %s", exc.detail)
                except Exception:  # a bug here must not end expiry for the life of the process
                    log.exception("store cleanup of %s failed", what)
                else:
                    if removed:
                        log.info("store cleanup: %d %s deleted", removed, what)
            await asyncio.sleep(self.cleanup_interval_s)
