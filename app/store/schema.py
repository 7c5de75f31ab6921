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
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
"""Login sessions (the access code's, the teacher's): the SHA-256 of the cookie's random id,
never the id itself, so a copy of the table opens no session; `fingerprint` says which code
the session was opened under."""

# ---- the classroom (app/classroom/) ---------------------------------------------------------

classes = Table(
    "classes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("join_code", String(16), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("version", BigInteger, nullable=False),
    Column("layout_version", BigInteger, nullable=False, server_default="0"),
)
"""A class. `version` grows with every change its grid shows (a join, a submission, ...), so
a dashboard asks "anything new since version n?" with one indexed read. Each change marks
what it touched with the version it made (`students.joined_version`, `cells.version`,
`removed_students`), so the dashboard gets only those rows; `layout_version` is the version
of the last change rows alone cannot show (an exercise added; for a class made before the
marks, the version it had then): a dashboard holding an older version gets the whole grid."""

exercises = Table(
    "exercises",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "class_id",
        String(32),
        ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("title_zh", String(200), nullable=True),
    Column("prompt", Text, nullable=False),
    Column("prompt_zh", Text, nullable=True),
    Column("starter", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("checks", Text, nullable=False),
    Column("lesson_id", String(100), nullable=True),
    Column("seed_key", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
"""An exercise of a class. `checks` is JSON; `seed_key` is the secret its grading seeds are
derived from (app/classroom/grading.py), never sent to anyone."""

students = Table(
    "students",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("class_id", String(32), ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(40), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("joined_at", UtcDateTime, nullable=False),
    Column("joined_version", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("class_id", "name"),
)
"""A student of a class: a display name, and the SHA-256 of their bearer token;
`joined_version` is the class's version their join made."""

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "class_id",
        String(32),
        ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("student_id", String(32), ForeignKey("students.id", ondelete="CASCADE"), nullable=False),
    Column(
        "exercise_id", String(32), ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False
    ),
    Column("code", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("checks", Text, nullable=False),
    Column("report", Text, nullable=True),
    Column("error_type", String(256), nullable=True),
    Column("error_title", String(300), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "student_id", "exercise_id"),
)
"""Every graded submission. Only the latest of each (student, exercise) keeps its `report`
(JSON); older ones keep their code and verdict."""

cells = Table(
    "cells",
    metadata,
    Column(
        "student_id", String(32), ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "exercise_id", String(32), ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "class_id",
        String(32),
        ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
    Column("passed_at", UtcDateTime, nullable=True),
    Column("latest_submission_id", String(32), nullable=False),
    Column("error_type", String(256), nullable=True),
    Column("error_title", String(300), nullable=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
)
"""One (student, exercise) cell of the grid, kept up to date by each submission in its own
transaction, so the grid is one read: status (`passed` once any submission passed), attempts,
the latest submission's error, and `version`, the class's version that submission made."""

removed_students = Table(
    "removed_students",
    metadata,
    Column("student_id", String(32), primary_key=True),
    Column(
        "class_id",
        String(32),
        ForeignKey("classes.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("joined_version", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
)
"""A student the teacher removed: their join's version and the removal's, so a dashboard that
shows them deletes their row instead of fetching the whole grid. Deleted with the class."""

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("class_id", String(32), ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    Column("code", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
)
"""The snippet the teacher last sent to the class."""
