"""invoices

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:07:30.673245+00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fatturahub.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counter",
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_counter")),
    )
    op.create_table(
        "invoice",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=False),
        sa.Column("tipo_documento", sa.String(length=4), nullable=False),
        sa.Column("numero", sa.String(length=20), nullable=False),
        sa.Column("data", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.String(length=4), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=True),
        sa.Column("file_name", sa.String(length=50), nullable=True),
        sa.Column("file_key", sa.String(length=64), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("identificativo_sdi", sa.String(length=36), nullable=True),
        sa.Column("sdi_received_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("queued_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_invoice_account_id_account")),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], name=op.f("fk_invoice_company_id_company")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("file_name", name=op.f("uq_invoice_file_name")),
    )
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_data"), ["data"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoice_identificativo_sdi"), ["identificativo_sdi"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoice_numero"), ["numero"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_state"), ["state"], unique=False)

    op.create_table(
        "invoice_key",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_invoice_key_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_key_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("invoice_id", "key", name=op.f("pk_invoice_key")),
    )
    with op.batch_alter_table("invoice_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_key_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoice_key_key"), ["key"], unique=False)

    op.create_table(
        "notification",
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("file_name", sa.String(length=60), nullable=False),
        sa.Column("identificativo_sdi", sa.String(length=36), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", fatturahub.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_notification_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("file_name", name=op.f("uq_notification_file_name")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_identificativo_sdi"), ["identificativo_sdi"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notification_invoice_id"), ["invoice_id"], unique=False)

    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_certificate", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("signing_format", sa.String(length=5), nullable=False, server_default="cades")
        )


def downgrade() -> None:
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_column("signing_format")
        batch_op.drop_column("signing_certificate")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_notification_identificativo_sdi"))

    op.drop_table("notification")
    with op.batch_alter_table("invoice_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_key_key"))
        batch_op.drop_index(batch_op.f("ix_invoice_key_company_id"))

    op.drop_table("invoice_key")
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_state"))
        batch_op.drop_index(batch_op.f("ix_invoice_numero"))
        batch_op.drop_index(batch_op.f("ix_invoice_identificativo_sdi"))
        batch_op.drop_index(batch_op.f("ix_invoice_data"))
        batch_op.drop_index(batch_op.f("ix_invoice_customer_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_company_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_account_id"))

    op.drop_table("invoice")
    op.drop_table("counter")
