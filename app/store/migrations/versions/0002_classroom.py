"""Login sessions in the store (any replica answers any request), and the classroom: classes,
exercises, students, submissions, the grid's cells, broadcasts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id(name: str = "id") -> sa.Column:
    return sa.Column(name, sa.String(32), nullable=False)


def _to(table: str, column: str, owner: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=f"fk_{owner}_{column}_{table}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sessions"),
    )
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])
    op.create_table(
        "classes",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        _when("created_at"),
        _when("closed_at", nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_classes"),
        sa.UniqueConstraint("join_code", name="uq_classes_join_code"),
    )
    op.create_index("ix_classes_created_at", "classes", ["created_at"])
    op.create_table(
        "exercises",
        _id(),
        _id("class_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("prompt_zh", sa.Text(), nullable=True),
        sa.Column("starter", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("lesson_id", sa.String(100), nullable=True),
        sa.Column("seed_key", sa.String(64), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_exercises"),
        _to("classes", "class_id", "exercises"),
    )
    op.create_index("ix_exercises_class_id", "exercises", ["class_id"])
    op.create_table(
        "students",
        _id(),
        _id("class_id"),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _when("joined_at"),
        sa.PrimaryKeyConstraint("id", name="pk_students"),
        _to("classes", "class_id", "students"),
        sa.UniqueConstraint("token_hash", name="uq_students_token_hash"),
        sa.UniqueConstraint("class_id", "name", name="uq_students_class_id_name"),
    )
    op.create_table(
        "submissions",
        _id(),
        _id("class_id"),
        _id("student_id"),
        _id("exercise_id"),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error_type", sa.String(256), nullable=True),
        sa.Column("error_title", sa.String(300), nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        _to("classes", "class_id", "submissions"),
        _to("students", "student_id", "submissions"),
        _to("exercises", "exercise_id", "submissions"),
    )
    op.create_index("ix_submissions_class_id", "submissions", ["class_id"])
    op.create_index(
        "ix_submissions_student_id_exercise_id", "submissions", ["student_id", "exercise_id"]
    )
    op.create_table(
        "cells",
        _id("student_id"),
        _id("exercise_id"),
        _id("class_id"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("last_at"),
        _when("passed_at", nullable=True),
        sa.Column("latest_submission_id", sa.String(32), nullable=False),
        sa.Column("error_type", sa.String(256), nullable=True),
        sa.Column("error_title", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("student_id", "exercise_id", name="pk_cells"),
        _to("students", "student_id", "cells"),
        _to("exercises", "exercise_id", "cells"),
        _to("classes", "class_id", "cells"),
    )
    op.create_index("ix_cells_class_id", "cells", ["class_id"])
    op.create_table(
        "broadcasts",
        _id("class_id"),
        sa.Column("code", sa.Text(), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("class_id", name="pk_broadcasts"),
        _to("classes", "class_id", "broadcasts"),
    )


def downgrade() -> None:
    for table in ("broadcasts", "cells", "submissions", "students", "exercises", "classes",
                  "sessions"):  # fmt: skip
        op.drop_table(table)
