"""Share links with their size and expiry, per-client daily usage, the store's total.

A data dir from before migrations has a `shares` table of (id, code, seed, created_at
text); its shares are kept, sized, and given the default lifetime from this upgrade on.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LEGACY_SHARE_OVERHEAD = 256  # the store's SHARE_OVERHEAD_BYTES when this revision was written
LEGACY_TTL = "+180 days"


def upgrade() -> None:
    legacy = sa.inspect(op.get_bind()).has_table("shares")
    if legacy:
        op.rename_table("shares", "shares_before_migrations")
    op.create_table(
        "shares",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shares"),
    )
    op.create_index("ix_shares_expires_at", "shares", ["expires_at"])
    op.create_table(
        "share_usage",
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client", "day", name="pk_share_usage"),
    )
    op.create_table(
        "share_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_totals"),
    )
    if legacy:  # only the SQLite store existed before migrations: SQLite's SQL is right here
        op.execute(
            "INSERT INTO shares (id, code, seed, size_bytes, created_at, expires_at) "
            f"SELECT id, code, seed, length(CAST(code AS BLOB)) + {LEGACY_SHARE_OVERHEAD}, "
            "datetime(created_at), datetime('now', '" + LEGACY_TTL + "') "
            "FROM shares_before_migrations"
        )
        op.drop_table("shares_before_migrations")
    op.execute(
        "INSERT INTO share_totals (id, bytes) SELECT 1, COALESCE(SUM(size_bytes), 0) FROM shares"
    )


def downgrade() -> None:
    op.drop_table("share_totals")
    op.drop_table("share_usage")
    op.drop_index("ix_shares_expires_at", "shares")
    op.drop_table("shares")
