"""inbox: at most one outcome (EC) being sent per received invoice, also under concurrent requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:30:00.000000+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

QUEUED = sa.text("state = 'queued'")


def upgrade() -> None:
    op.create_index(
        "uq_received_outcome_one_queued",
        "received_outcome",
        ["received_invoice_id"],
        unique=True,
        postgresql_where=QUEUED,
        sqlite_where=QUEUED,
    )


def downgrade() -> None:
    op.drop_index("uq_received_outcome_one_queued", table_name="received_outcome")
