"""report corrections: Dati Fattura kind, period, ANN and Rettifica references

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:20:00.000000+00:00

Only nullable columns are added (ALTER TABLE ADD COLUMN on both databases, no table rebuild). The
references between submissions are plain ids, not foreign keys: SQLite cannot add a constraint to
an existing table without rebuilding it, and a submission is never deleted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (
    ("document_kind", sa.String(length=3)),
    ("period", sa.String(length=2)),
    ("cancels_id", sa.Uuid()),
    ("corrects_id", sa.Uuid()),
    ("position", sa.Integer()),
    ("cancelled_by_id", sa.Uuid()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("data_submission", sa.Column(name, type_, nullable=True))
    op.create_index("ix_data_submission_id_file", "data_submission", ["company_id", "id_file"])
    op.create_index("ix_data_submission_cancels", "data_submission", ["cancels_id"])


def downgrade() -> None:
    op.drop_index("ix_data_submission_cancels", table_name="data_submission")
    op.drop_index("ix_data_submission_id_file", table_name="data_submission")
    for name, _type in reversed(COLUMNS):  # SQLite >= 3.35 drops a plain column in place
        op.drop_column("data_submission", name)
