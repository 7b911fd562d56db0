"""Alembic environment: runs on the connection handed over by fatturahub.db.migrate."""

from alembic import context

from fatturahub.db.registry import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copy
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
