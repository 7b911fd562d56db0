"""All SQL of bulk imports. Imports are read through a `CompanyAccess`; the duplicate lookups
take the company the job imports into."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import NotFound
from fatturahub.imports.models import HistoryImport
from fatturahub.inbox.models import ReceivedInvoice
from fatturahub.invoices.models import Invoice, InvoiceKey
from fatturahub.invoices.states import COUNTS_AS_ISSUED
from fatturahub.tenancy.principal import CompanyAccess
from fatturahub.worker.models import Job


async def get_import(session: AsyncSession, access: CompanyAccess, import_id: uuid.UUID) -> HistoryImport:
    found = await session.get(HistoryImport, import_id)
    if found is None or found.company_id != access.company_id:
        raise NotFound(f"import {import_id} not found")
    return found


async def list_imports(
    session: AsyncSession,
    access: CompanyAccess,
    directions: Collection[str],
    *,
    limit: int,
    cursor: str | None,
) -> Page[HistoryImport]:
    query = select(HistoryImport).where(
        HistoryImport.company_id == access.company_id, HistoryImport.direction.in_(list(directions))
    )
    return await paginate(session, query, HistoryImport, limit=limit, cursor=cursor)


async def received_keys_taken(session: AsyncSession, company_id: uuid.UUID, keys: list[str]) -> set[str]:
    """Which duplicate keys (supplier, type, number, date) the company's received invoices hold."""
    if not keys:
        return set()
    query = select(ReceivedInvoice.duplicate_key).where(
        ReceivedInvoice.company_id == company_id, ReceivedInvoice.duplicate_key.in_(keys)
    )
    return set(await session.scalars(query))


async def issued_keys_taken(session: AsyncSession, company_id: uuid.UUID, keys: list[str]) -> set[str]:
    """Which 00404 keys the company's issued invoices (imported ones included) hold."""
    query = (
        select(InvoiceKey.key)
        .join(Invoice, Invoice.id == InvoiceKey.invoice_id)
        .where(
            InvoiceKey.company_id == company_id,
            InvoiceKey.key.in_(keys),
            Invoice.state.in_([s.value for s in COUNTS_AS_ISSUED]),
        )
    )
    return set(await session.scalars(query))


async def renew_lease(session: AsyncSession, job: Job, lease: timedelta) -> bool:
    """Keep a long import's job ours; False when the lease was lost to another worker."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == job.locked_by)
        .values(locked_until=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
