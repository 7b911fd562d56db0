"""What the ERP is told about an import: one import.completed event when it ends (the invoices
it brought in are history, not news, so they get no events of their own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.imports.models import HistoryImport
from fatturahub.webhooks import publish

COMPLETED = "import.completed"


def import_payload(batch: HistoryImport) -> dict[str, Any]:
    return {
        "id": str(batch.id),
        "company_id": str(batch.company_id),
        "direction": batch.direction,
        "state": batch.state,
        "total": batch.total,
        "processed": batch.processed,
        "imported": batch.imported,
        "skipped_duplicates": batch.skipped_duplicates,
        "failed": batch.failed,
        "problem": batch.problem,
    }


async def publish_completed(session: AsyncSession, batch: HistoryImport) -> None:
    await publish(
        session,
        company_id=batch.company_id,
        owner_account_id=batch.account_id,
        type=COMPLETED,
        subject_type="import",
        subject_id=batch.id,
        data={"import": import_payload(batch)},
    )
