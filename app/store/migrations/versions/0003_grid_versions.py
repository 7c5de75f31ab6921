"""The grid's change marks: each join, cell and removal records the class version it made, so
a dashboard's poll gets only the rows changed since the version it holds.

A class made before this revision starts diffing from the version it has now
(`layout_version = version`): its rows carry no marks yet, so a page older than that gets the
whole grid.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MARKS = (("classes", "layout_version"), ("students", "joined_version"), ("cells", "version"))


def upgrade() -> None:
    for table, column in MARKS:
        op.add_column(table, sa.Column(column, sa.BigInteger(), nullable=False, server_default="0"))
    op.execute("UPDATE classes SET layout_version = version")
    op.create_table(
        "removed_students",
        sa.Column("student_id", sa.String(32), nullable=False),
        sa.Column("class_id", sa.String(32), nullable=False),
        sa.Column("joined_version", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("student_id", name="pk_removed_students"),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name="fk_removed_students_class_id_classes",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_removed_students_class_id", "removed_students", ["class_id"])


def downgrade() -> None:
    op.drop_table("removed_students")
    for table, column in MARKS:
        with op.batch_alter_table(table) as batch:  # SQLite drops a column by copying
            batch.drop_column(column)
