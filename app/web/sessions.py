"""Server-side sessions for the pages' logins: a random id in the cookie, facts in the store.

A browser that typed the right code (the class access code, or the teacher code) gets
`secrets.token_urlsafe(32)` (256 random bits), not anything derived from the code: a leaked
cookie says nothing about the code, expires on its own, and can be revoked. Each session
remembers a fingerprint of the code it was opened with, so a session opened under an old
code is void under a new one, and a session of one code never opens the other's pages.

`SessionStore` is what the web layer needs; `app.store.sessions.StoredSessions` keeps the
table in the database, so any replica answers any request and a restart logs nobody out.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

SESSION_ID_BYTES = 32


def code_fingerprint(code: str, purpose: str = "access code") -> str:
    """What a session remembers of the code: enough to tell codes apart, kept server-side."""
    return hashlib.sha256(f"tensor-playground {purpose}\x00{code}".encode()).hexdigest()


class SessionStore(Protocol):
    async def create(self, fingerprint: str, ttl_s: float) -> str:
        """Open a session under the code with this fingerprint; return its id."""

    async def valid(self, session_id: str, fingerprint: str) -> bool:
        """Whether the id names an unexpired session opened under this code."""

    async def revoke(self, session_id: str) -> None:
        """End one session (logout)."""

    async def revoke_all(self) -> None:
        """End every session."""
