"""Manual changes to the ledger's lines of one document: recording date, deductibility, the date
deferred VAT was collected or paid. Recorded on the ledger (which the refresh never rewrites)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.errors import Conflict
from fatturahub.fiscal.money import percent_of
from fatturahub.reports import repository
from fatturahub.reports.models import VatEntry

UNSET = object()


def apply(
    entries: list[VatEntry],
    *,
    recorded_on: date | None = None,
    deductible_percent: Decimal | None = None,
    settled_on: date | object | None = UNSET,
) -> None:
    for entry in entries:
        if recorded_on is not None:
            entry.recorded_on = recorded_on
        if deductible_percent is not None:
            entry.deductible_percent = deductible_percent
            entry.deductible_vat = percent_of(entry.vat, deductible_percent)
        if settled_on is not UNSET:
            entry.settled_on = settled_on  # type: ignore[assignment]


async def document_entries(
    session: AsyncSession, company_id: uuid.UUID, source_type: str, source_id: uuid.UUID
) -> list[VatEntry]:
    entries = await repository.entries_of(session, company_id, source_type, source_id)
    if not entries:
        raise Conflict(
            "this document is not in the VAT ledger (not issued, unreadable, or a repeated delivery)"
        )
    return entries
