"""Alembic's entry: migrations run on the connection the app hands over, never on one of
their own, so they share its transaction (and, on PostgreSQL, its advisory lock)."""

from __future__ import annotations

from alembic import context

from app.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `tensor-playground db upgrade`, not the alembic CLI")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
)
with context.begin_transaction():
    context.run_migrations()
