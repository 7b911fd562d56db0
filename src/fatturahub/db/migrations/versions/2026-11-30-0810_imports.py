"""imports: bulk imports of invoice history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:00:00.000000+00:00

received_file gets a `source` ("sdi" or "import") and a nullable IdentificativoSdI (imported
history has none; the unique constraint still holds for the non-null ones on both databases).

SQLite cannot drop a NOT NULL in place, and batch mode's copy-and-rename drops a table that
received_invoice references: with foreign keys on, that DROP fails on any existing row. So on
SQLite the table is rebuilt under its own name inside the transaction, foreign keys deferred:
the rows put back satisfy every reference again before the commit checks them.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fatturahub.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RECEIVED_FILE_INDEXES = ("account_id", "company_id", "codice_destinatario", "signature_status")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _utc() -> fatturahub.db.base.UTCDateTime:
    return fatturahub.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    _create_history_import()
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_received_file(with_source=True)
        return
    op.alter_column("received_file", "identificativo_sdi", existing_type=sa.String(12), nullable=True)
    op.add_column(
        "received_file", sa.Column("source", sa.String(length=6), server_default="sdi", nullable=False)
    )


def downgrade() -> None:
    # imported passive history has no IdentificativoSdI, which 0006 requires: it goes
    imported = "SELECT id FROM received_file WHERE source = 'import'"
    op.execute(f"DELETE FROM received_invoice WHERE file_id IN ({imported})")
    op.execute("DELETE FROM received_file WHERE source = 'import'")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_received_file(with_source=False)
    else:
        op.drop_column("received_file", "source")
        op.alter_column("received_file", "identificativo_sdi", existing_type=sa.String(12), nullable=False)
    op.drop_table("history_import")


def _create_history_import() -> None:
    op.create_table(
        "history_import",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=7), nullable=False),
        sa.Column("uploads", _json(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped_duplicates", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("started_at", _utc(), nullable=True),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_history_import_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_history_import_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_import")),
    )
    with op.batch_alter_table("history_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_import_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_history_import_company_id"), ["company_id"], unique=False)


def _received_file_columns(*, with_source: bool) -> list[sa.Column]:
    columns = [
        sa.Column("identificativo_sdi", sa.String(length=12), nullable=with_source),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=60), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("metadata_file_name", sa.String(length=60), nullable=False),
        sa.Column("metadata_key", sa.String(length=64), nullable=False),
        sa.Column("codice_destinatario", sa.String(length=7), nullable=True),
        sa.Column("sdi_metadata", _json(), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=True),
        sa.Column("readable", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("warnings", _json(), nullable=False),
        sa.Column("envelopes", _json(), nullable=False),
        sa.Column("signature_status", sa.String(length=12), nullable=False),
        sa.Column("signature", _json(), nullable=True),
        sa.Column("routing", _json(), nullable=False),
        sa.Column("expired_at", _utc(), nullable=True),
        sa.Column("expiry_file_name", sa.String(length=60), nullable=True),
        sa.Column("expiry_key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
    ]
    if with_source:
        columns.append(sa.Column("source", sa.String(length=6), server_default="sdi", nullable=False))
    return columns


def _rebuild_received_file(*, with_source: bool) -> None:
    """SQLite: copy the rows aside, drop and recreate the table, put them back (see the top)."""
    columns = _received_file_columns(with_source=with_source)
    shared = ", ".join(c.name for c in columns if c.name != "source")
    op.execute(f"CREATE TABLE _received_file_copy AS SELECT {shared} FROM received_file WHERE 0")
    op.execute(f"INSERT INTO _received_file_copy SELECT {shared} FROM received_file")  # opens the transaction
    op.execute("PRAGMA defer_foreign_keys = ON")  # until this transaction commits
    op.drop_table("received_file")
    op.create_table(
        "received_file",
        *columns,
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_received_file_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_received_file_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_file")),
        sa.UniqueConstraint("identificativo_sdi", name=op.f("uq_received_file_identificativo_sdi")),
    )
    op.execute(f"INSERT INTO received_file ({shared}) SELECT {shared} FROM _received_file_copy")
    op.drop_table("_received_file_copy")
    for column in RECEIVED_FILE_INDEXES:
        op.create_index(op.f(f"ix_received_file_{column}"), "received_file", [column], unique=False)
