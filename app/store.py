"""Share links: a snippet and its seed saved in SQLite under an unguessable short id.

A share is immutable once written, so a permalink always reopens exactly what was
shared. Ids come from `secrets`, not from a counter, so nobody can walk the table by
guessing neighbours. The store applies the run's size limit itself: a share is a run
waiting to happen, and nothing larger than a run may be stored.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidSnippet, NotFound, SnippetTooLarge

ID_BYTES = 8
"""`token_urlsafe(8)`: 11 characters carrying 64 random bits."""
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,32}")
_INSERT_ATTEMPTS = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shares (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    seed INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""


@dataclass(slots=True, frozen=True)
class Share:
    id: str
    code: str
    seed: int | None
    created_at: str


class ShareStore:
    """The `shares` table of one SQLite file; open it once per process, close it on exit."""

    def __init__(self, path: Path, max_code_bytes: int) -> None:
        self.path = path
        self.max_code_bytes = max_code_bytes
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        """Create the file and its table on first start; reuse them afterwards."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        self._connection = connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def create(self, code: str, seed: int | None = 0) -> Share:
        """Store a snippet; raise `SnippetTooLarge` (413) above the run's size limit."""
        self._check(code)
        for _ in range(_INSERT_ATTEMPTS):
            share_id = secrets.token_urlsafe(ID_BYTES)
            try:
                with self._lock:
                    row = (
                        self._db()
                        .execute(
                            "INSERT INTO shares (id, code, seed) VALUES (?, ?, ?) "
                            "RETURNING id, code, seed, created_at",
                            (share_id, code, seed),
                        )
                        .fetchone()
                    )
            except sqlite3.IntegrityError:
                continue  # 2^-64 per try: a collision is a bug in `secrets`, not bad luck
            return Share(*row)
        raise RuntimeError("could not find an unused share id")

    def get(self, share_id: str) -> Share:
        """The share with this id; `NotFound` (404) when there is none."""
        if ID_PATTERN.fullmatch(share_id):
            with self._lock:
                row = (
                    self._db()
                    .execute(
                        "SELECT id, code, seed, created_at FROM shares WHERE id = ?", (share_id,)
                    )
                    .fetchone()
                )
            if row is not None:
                return Share(*row)
        raise NotFound(f"no shared snippet has the id {share_id!r}")

    def _check(self, code: str) -> None:
        try:
            size = len(code.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise InvalidSnippet(f"the code is not valid UTF-8 text: {exc.reason}") from None
        if size > self.max_code_bytes:
            raise SnippetTooLarge(
                f"the snippet is {size} bytes; the limit is {self.max_code_bytes}"
            )

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the share store is not open")
        return self._connection
