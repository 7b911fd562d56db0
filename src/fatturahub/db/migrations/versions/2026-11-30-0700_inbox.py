"""inbox: received files, received invoices, outcomes (the passive cycle)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:00:00.000000+00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fatturahub.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _utc() -> fatturahub.db.base.UTCDateTime:
    return fatturahub.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "received_file",
        sa.Column("identificativo_sdi", sa.String(length=12), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_received_file_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_received_file_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_file")),
        sa.UniqueConstraint("identificativo_sdi", name=op.f("uq_received_file_identificativo_sdi")),
    )
    with op.batch_alter_table("received_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_received_file_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_received_file_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_received_file_codice_destinatario"), ["codice_destinatario"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_received_file_signature_status"), ["signature_status"], unique=False
        )

    op.create_table(
        "received_invoice",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("readable", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=True),
        sa.Column("tipo_documento", sa.String(length=4), nullable=True),
        sa.Column("numero", sa.String(length=20), nullable=True),
        sa.Column("data", sa.Date(), nullable=True),
        sa.Column("divisa", sa.String(length=3), nullable=True),
        sa.Column("total", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("supplier_partita_iva", sa.String(length=30), nullable=True),
        sa.Column("supplier_codice_fiscale", sa.String(length=16), nullable=True),
        sa.Column("supplier_name", sa.String(length=200), nullable=True),
        sa.Column("payment_terms", _json(), nullable=False),
        sa.Column("duplicate_key", sa.String(length=120), nullable=True),
        sa.Column("duplicate_of", sa.Uuid(), nullable=True),
        sa.Column("self_invoice_of", sa.Uuid(), nullable=True),
        sa.Column("read_at", _utc(), nullable=True),
        sa.Column("downloaded_at", _utc(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_received_invoice_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_received_invoice_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["received_invoice.id"],
            name=op.f("fk_received_invoice_duplicate_of_received_invoice"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["received_file.id"], name=op.f("fk_received_invoice_file_id_received_file")
        ),
        sa.ForeignKeyConstraint(
            ["self_invoice_of"], ["invoice.id"], name=op.f("fk_received_invoice_self_invoice_of_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_invoice")),
    )
    with op.batch_alter_table("received_invoice", schema=None) as batch_op:
        for column in (
            "account_id",
            "company_id",
            "data",
            "duplicate_key",
            "file_id",
            "numero",
            "state",
            "supplier_codice_fiscale",
            "supplier_partita_iva",
            "tipo_documento",
        ):
            batch_op.create_index(batch_op.f(f"ix_received_invoice_{column}"), [column], unique=False)

    op.create_table(
        "received_outcome",
        sa.Column("received_invoice_id", sa.Uuid(), nullable=False),
        sa.Column("esito", sa.String(length=4), nullable=False),
        sa.Column("descrizione", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=60), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("answer", sa.String(length=4), nullable=True),
        sa.Column("scarto_file_name", sa.String(length=60), nullable=True),
        sa.Column("scarto", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["received_invoice_id"],
            ["received_invoice.id"],
            name=op.f("fk_received_outcome_received_invoice_id_received_invoice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_outcome")),
        sa.UniqueConstraint("file_name", name=op.f("uq_received_outcome_file_name")),
    )
    with op.batch_alter_table("received_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_outcome_received_invoice_id"), ["received_invoice_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("received_outcome")
    op.drop_table("received_invoice")
    op.drop_table("received_file")
