"""reports: VAT ledger, LIPE adjustments and submissions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:00:00.000000+00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fatturahub.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _utc() -> fatturahub.db.base.UTCDateTime:
    return fatturahub.db.base.UTCDateTime(timezone=True)


def _company(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["company_id"], ["company.id"], name=op.f(f"fk_{table}_company_id_company")
    )


def upgrade() -> None:
    op.create_table(
        "vat_entry",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("numero", sa.String(length=20), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("tipo_documento", sa.String(length=4), nullable=False),
        sa.Column("natura", sa.String(length=5), nullable=True),
        sa.Column("aliquota", sa.Numeric(6, 2), nullable=False),
        sa.Column("esigibilita", sa.String(length=1), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("taxable", sa.Numeric(15, 2), nullable=False),
        sa.Column("vat", sa.Numeric(15, 2), nullable=False),
        sa.Column("deductible_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("deductible_vat", sa.Numeric(15, 2), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _company("vat_entry"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vat_entry")),
        sa.UniqueConstraint("source_type", "source_id", "position", "line", name="uq_vat_entry_source_line"),
    )
    op.create_index("ix_vat_entry_period", "vat_entry", ["company_id", "document_date"])
    op.create_table(
        "lipe_setting",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("periodicity", sa.String(length=10), nullable=False),
        sa.Column("quarterly_by_law", sa.Boolean(), nullable=False),
        sa.Column("declarant_tax_code", sa.String(length=16), nullable=True),
        sa.Column("declarant_role", sa.String(length=2), nullable=True),
        _company("lipe_setting"),
        sa.PrimaryKeyConstraint("company_id", "year", name=op.f("pk_lipe_setting")),
    )
    op.create_table(
        "lipe_adjustment",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=2), nullable=False),
        sa.Column("amounts", _json(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _company("lipe_adjustment"),
        sa.PrimaryKeyConstraint("company_id", "year", "period", name=op.f("pk_lipe_adjustment")),
    )
    op.create_table(
        "supplier_deductibility",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("supplier", sa.String(length=30), nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=False),
        _company("supplier_deductibility"),
        sa.PrimaryKeyConstraint("company_id", "supplier", name=op.f("pk_supplier_deductibility")),
    )
    op.create_table(
        "data_submission",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("file_name", sa.String(length=50), nullable=False),
        sa.Column("file_key", sa.String(length=64), nullable=False),
        sa.Column("substitutes_id", sa.Uuid(), nullable=True),
        sa.Column("id_file", sa.String(length=40), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("outcome_file_name", sa.String(length=60), nullable=True),
        sa.Column("outcome", sa.LargeBinary(), nullable=True),
        sa.Column("errors", _json(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _company("data_submission"),
        sa.ForeignKeyConstraint(
            ["substitutes_id"],
            ["data_submission.id"],
            name=op.f("fk_data_submission_substitutes_id_data_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_submission")),
        sa.UniqueConstraint("file_name", name=op.f("uq_data_submission_file_name")),
    )
    op.create_index(
        "ix_data_submission_company", "data_submission", ["company_id", "kind", "year", "created_at"]
    )
    op.create_index(op.f("ix_data_submission_state"), "data_submission", ["state"])


def downgrade() -> None:
    op.drop_table("data_submission")
    op.drop_table("supplier_deductibility")
    op.drop_table("lipe_adjustment")
    op.drop_table("lipe_setting")
    op.drop_index("ix_vat_entry_period", table_name="vat_entry")
    op.drop_table("vat_entry")
