"""The tables of the store, one `MetaData` for SQLite and PostgreSQL alike.

This module describes the schema as the code expects it; the migrations in
`migrations/versions/` build it, one revision per change, and a test checks that the two
agree on both engines. A new feature adds its tables here and one migration beside them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC `datetime` on both engines: `timestamptz` in PostgreSQL; in SQLite,
    which keeps no offset, the UTC wall time (so text order is time order)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: pass an aware one")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


shares = Table(
    "shares",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("code", Text, nullable=False),
    Column("seed", BigInteger, nullable=True),  # seeds go up to 2**32 - 1: past int4
    Column("size_bytes", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
"""One shared snippet; immutable once written, deleted when it expires."""

share_usage = Table(
    "share_usage",
    metadata,
    Column("client", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("bytes", BigInteger, nullable=False),
)
"""Bytes each client stored per UTC day, for the daily quota. `client` is a SHA-256 of
the address, not the address; rows of past days are deleted by the cleanup."""

share_totals = Table(
    "share_totals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bytes", BigInteger, nullable=False),
)
"""One row (`id = 1`): the bytes all shares take, so the total quota is checked and taken
by one conditional UPDATE instead of a SUM over the table on every share."""
