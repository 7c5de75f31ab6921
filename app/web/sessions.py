"""Server-side sessions for the class access code: a random id in the cookie, facts here.

A browser that typed the right code gets `secrets.token_urlsafe(32)` (256 random bits), not
anything derived from the code: a leaked cookie says nothing about the code, expires on its
own, and can be revoked. Each session remembers a fingerprint of the code it was opened
with, so a session opened under an old code is void under a new one.

`MemorySessions` keeps the table in this process (a restart logs everyone out, which also
revokes every session when the code changes with a restart). Anything that implements
`SessionStore` can replace it, such as a table in the server's database.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

SESSION_ID_BYTES = 32
MAX_SESSIONS = 100_000
"""A bound on the table: past it the oldest sessions are dropped (those students log in
again), so logins in a loop cannot grow the server's memory."""


def code_fingerprint(code: str) -> str:
    """What a session remembers of the code: enough to tell codes apart, kept server-side."""
    return hashlib.sha256(b"tensor-playground access code\x00" + code.encode()).hexdigest()


class SessionStore(Protocol):
    def create(self, fingerprint: str, ttl_s: float) -> str:
        """Open a session under the code with this fingerprint; return its id."""

    def valid(self, session_id: str, fingerprint: str) -> bool:
        """Whether the id names an unexpired session opened under this code."""

    def revoke(self, session_id: str) -> None:
        """End one session (logout)."""

    def revoke_all(self) -> None:
        """End every session."""


@dataclass(slots=True, frozen=True)
class _Session:
    fingerprint: str
    expires_at: float


class MemorySessions:
    """`SessionStore` in a dict, bounded by `max_sessions`."""

    def __init__(
        self, max_sessions: int = MAX_SESSIONS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_sessions = max_sessions
        self.clock = clock
        self._table: dict[str, _Session] = {}

    def __len__(self) -> int:
        return len(self._table)

    def create(self, fingerprint: str, ttl_s: float) -> str:
        if len(self._table) >= self.max_sessions:
            self._make_room()
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        self._table[session_id] = _Session(fingerprint, self.clock() + ttl_s)
        return session_id

    def valid(self, session_id: str, fingerprint: str) -> bool:
        session = self._table.get(session_id)
        if session is None:
            return False
        if session.expires_at <= self.clock() or session.fingerprint != fingerprint:
            del self._table[session_id]
            return False
        return True

    def revoke(self, session_id: str) -> None:
        self._table.pop(session_id, None)

    def revoke_all(self) -> None:
        self._table.clear()

    def _make_room(self) -> None:
        now = self.clock()
        self._table = {k: s for k, s in self._table.items() if s.expires_at > now}
        while len(self._table) >= self.max_sessions:
            del self._table[next(iter(self._table))]  # dicts keep insertion order: oldest
