"""Login sessions in the database (`app.web.sessions.SessionStore`): any replica answers any
request, and a restart logs nobody out.

The table keeps the SHA-256 of each session id, never the id: reading the table (a backup, a
replica's logs of a query) opens no session. A session is valid until `expires_at` and only
under the code it was opened with; expired rows are deleted by the store's housekeeping, and
the table is bounded (`MAX_SESSIONS`: past it, the oldest 1% are dropped) so logins in a loop
cannot grow it without end.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select

from app.store.database import Database
from app.store.schema import sessions
from app.store.shares import now_utc
from app.web.sessions import SESSION_ID_BYTES

MAX_SESSIONS = 100_000


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class StoredSessions:
    """`SessionStore` on a table of the store; every method is one transaction."""

    def __init__(
        self,
        database: Database,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.database = database
        self.max_sessions = max_sessions
        self.clock = clock

    async def create(self, fingerprint: str, ttl_s: float) -> str:
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        now = self.clock()
        async with self.database.transaction() as connection:
            count = await connection.execute(select(func.count()).select_from(sessions))
            if count.scalar_one() >= self.max_sessions:
                await connection.execute(delete(sessions).where(sessions.c.expires_at <= now))
                oldest = (
                    select(sessions.c.id_hash)
                    .order_by(sessions.c.created_at)
                    .limit(max(1, self.max_sessions // 100))
                    .scalar_subquery()
                )
                await connection.execute(delete(sessions).where(sessions.c.id_hash.in_(oldest)))
            await connection.execute(insert(sessions).values(
                id_hash=id_hash(session_id), fingerprint=fingerprint, created_at=now,
                expires_at=now + timedelta(seconds=ttl_s),
            ))  # fmt: skip
        return session_id

    async def valid(self, session_id: str, fingerprint: str) -> bool:
        if not session_id:
            return False
        query = select(sessions.c.fingerprint, sessions.c.expires_at).where(
            sessions.c.id_hash == id_hash(session_id)
        )
        async with self.database.transaction() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            return False
        return row.fingerprint == fingerprint and row.expires_at > self.clock()

    async def revoke(self, session_id: str) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(
                delete(sessions).where(sessions.c.id_hash == id_hash(session_id))
            )

    async def revoke_all(self) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(delete(sessions))

    async def remove_expired(self) -> int:
        async with self.database.transaction() as connection:
            result = await connection.execute(
                delete(sessions).where(sessions.c.expires_at <= self.clock())
            )
        return result.rowcount

    async def count(self) -> int:
        async with self.database.transaction() as connection:
            return (
                await connection.execute(select(func.count()).select_from(sessions))
            ).scalar_one()
