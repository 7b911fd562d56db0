"""All SQL of the passive cycle. Company data is read through a `CompanyAccess`; the only
unscoped reads are the receiving side's (SDI's delivery is addressed to the service, and
routing must look at every company) and the operator's quarantine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import NotFound
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice, ReceivedOutcome
from fatturahub.inbox.reading import Party
from fatturahub.inbox.routing import Candidate, specific_code
from fatturahub.invoices.models import Invoice
from fatturahub.tenancy.models import Account, Company
from fatturahub.tenancy.principal import CompanyAccess


# --- receiving --------------------------------------------------------------------------------
async def file_by_identificativo(session: AsyncSession, identificativo_sdi: str) -> ReceivedFile | None:
    return await session.scalar(
        select(ReceivedFile).where(ReceivedFile.identificativo_sdi == identificativo_sdi)
    )


async def routing_candidates(
    session: AsyncSession, recipient: Party | None, codice_destinatario: str | None
) -> tuple[list[Candidate], set[uuid.UUID]]:
    """Companies the recipient's identifiers may name, and the accounts using the code."""
    candidates: list[Candidate] = []
    ids = {v for v in (recipient.vat_code, recipient.codice_fiscale) if v} if recipient else set()
    if ids:
        query = select(Company).where(
            Company.archived_at.is_(None),
            or_(Company.partita_iva.in_(ids), Company.codice_fiscale.in_({i.upper() for i in ids})),
        )
        candidates = [
            Candidate(c.id, c.account_id, c.partita_iva, c.codice_fiscale, c.codice_destinatario)
            for c in await session.scalars(query.order_by(Company.created_at, Company.id))
        ]
    code = specific_code(codice_destinatario)
    accounts: set[uuid.UUID] = set()
    if code:
        query = select(Company.account_id).where(
            Company.archived_at.is_(None), Company.codice_destinatario == code
        )
        accounts = set(await session.scalars(query.distinct()))
    return candidates, accounts


async def add_storage(session: AsyncSession, account_id: uuid.UUID, size: int) -> None:
    """Count received bytes against the quota without a limit: SDI has delivered them already,
    so they are kept even past the quota (which then blocks what the account itself uploads)."""
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(storage_used_bytes=Account.storage_used_bytes + size)
        .execution_options(synchronize_session=False)
    )


async def duplicate_of(
    session: AsyncSession, company_id: uuid.UUID, key: str, exclude: uuid.UUID
) -> uuid.UUID | None:
    """The first received invoice of the company with the same duplicate key."""
    return await session.scalar(
        select(ReceivedInvoice.id)
        .where(
            ReceivedInvoice.company_id == company_id,
            ReceivedInvoice.duplicate_key == key,
            ReceivedInvoice.id != exclude,
        )
        .order_by(ReceivedInvoice.created_at, ReceivedInvoice.id)
        .limit(1)
    )


async def own_invoice(
    session: AsyncSession,
    company_id: uuid.UUID,
    *,
    identificativo_sdi: str,
    file_name: str,
    numero: str | None,
    data: date | None,
    tipo: str | None,
) -> uuid.UUID | None:
    """The invoice we sent that SDI delivers back (self-invoices): same IdentificativoSdI or file
    name, else the same number, date and type. Reads `invoice`, never changes it."""
    base = select(Invoice.id).where(Invoice.company_id == company_id)
    found = await session.scalar(
        base.where(or_(Invoice.identificativo_sdi == identificativo_sdi, Invoice.file_name == file_name))
    )
    if found is None and numero and data and tipo:
        found = await session.scalar(
            base.where(Invoice.numero == numero, Invoice.data == data, Invoice.tipo_documento == tipo)
        )
    return found


async def invoices_of_file(session: AsyncSession, file_id: uuid.UUID) -> list[ReceivedInvoice]:
    query = select(ReceivedInvoice).where(ReceivedInvoice.file_id == file_id)
    return list(await session.scalars(query.order_by(ReceivedInvoice.position)))


# --- reading, scoped by company ---------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedFilter:
    supplier: str | None = None  # P.IVA (with or without IT), codice fiscale, or part of the name
    date_from: date | None = None
    date_to: date | None = None
    numero: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    tipo_documento: str | None = None
    state: str | None = None
    signature_status: str | None = None
    downloaded: bool | None = None
    readable: bool | None = None


def _filtered(query: Select, where: ReceivedFilter) -> Select:
    if where.supplier:
        text = where.supplier.strip()
        query = query.where(
            or_(
                ReceivedInvoice.supplier_partita_iva.in_([text.upper(), f"IT{text}"]),
                ReceivedInvoice.supplier_codice_fiscale == text.upper(),
                ReceivedInvoice.supplier_name.ilike(f"%{text.lower()}%"),
            )
        )
    conditions = [
        (where.date_from, lambda v: ReceivedInvoice.data >= v),
        (where.date_to, lambda v: ReceivedInvoice.data <= v),
        (where.numero, lambda v: ReceivedInvoice.numero == v),
        (where.amount_min, lambda v: ReceivedInvoice.total >= v),
        (where.amount_max, lambda v: ReceivedInvoice.total <= v),
        (where.tipo_documento, lambda v: ReceivedInvoice.tipo_documento == v),
        (where.state, lambda v: ReceivedInvoice.state == v),
        (where.readable, lambda v: ReceivedInvoice.readable.is_(v)),
    ]
    for value, condition in conditions:
        if value is not None:
            query = query.where(condition(value))
    if where.downloaded is not None:
        column = ReceivedInvoice.downloaded_at
        query = query.where(column.is_not(None) if where.downloaded else column.is_(None))
    if where.signature_status:
        signed = select(ReceivedFile.id).where(ReceivedFile.signature_status == where.signature_status)
        query = query.where(ReceivedInvoice.file_id.in_(signed))
    return query


async def list_received(
    session: AsyncSession, access: CompanyAccess, where: ReceivedFilter, *, limit: int, cursor: str | None
) -> Page[ReceivedInvoice]:
    query = _filtered(select(ReceivedInvoice).where(ReceivedInvoice.company_id == access.company_id), where)
    return await paginate(session, query, ReceivedInvoice, limit=limit, cursor=cursor)


async def get_received(
    session: AsyncSession, access: CompanyAccess, invoice_id: uuid.UUID
) -> tuple[ReceivedInvoice, ReceivedFile]:
    invoice = await session.get(ReceivedInvoice, invoice_id)
    if invoice is None or invoice.company_id != access.company_id:
        raise NotFound(f"received invoice {invoice_id} not found")
    return invoice, await session.get_one(ReceivedFile, invoice.file_id)


async def files_of(session: AsyncSession, invoices: list[ReceivedInvoice]) -> dict[uuid.UUID, ReceivedFile]:
    """The files of a page of invoices, in one query."""
    ids = {invoice.file_id for invoice in invoices}
    if not ids:
        return {}
    return {f.id: f for f in await session.scalars(select(ReceivedFile).where(ReceivedFile.id.in_(ids)))}


async def outcomes_of(session: AsyncSession, invoice_id: uuid.UUID) -> list[ReceivedOutcome]:
    query = select(ReceivedOutcome).where(ReceivedOutcome.received_invoice_id == invoice_id)
    return list(await session.scalars(query.order_by(ReceivedOutcome.created_at, ReceivedOutcome.id)))


async def outcomes_of_file(session: AsyncSession, file_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(ReceivedOutcome)
        .join(ReceivedInvoice, ReceivedInvoice.id == ReceivedOutcome.received_invoice_id)
        .where(ReceivedInvoice.file_id == file_id)
    )
    return int(await session.scalar(query) or 0)


# --- quarantine -------------------------------------------------------------------------------
def _quarantine(account_id: uuid.UUID | None) -> Select:
    owner = ReceivedFile.account_id.is_(None) if account_id is None else ReceivedFile.account_id == account_id
    return select(ReceivedFile).where(ReceivedFile.company_id.is_(None), owner)


async def list_quarantine(
    session: AsyncSession, account_id: uuid.UUID | None, *, limit: int, cursor: str | None
) -> Page[ReceivedFile]:
    """An account's quarantine, or the operator's (account_id None: files no account claims)."""
    return await paginate(session, _quarantine(account_id), ReceivedFile, limit=limit, cursor=cursor)


async def quarantined_file(
    session: AsyncSession, account_id: uuid.UUID | None, file_id: uuid.UUID
) -> ReceivedFile:
    found = await session.scalar(_quarantine(account_id).where(ReceivedFile.id == file_id))
    if found is None:
        raise NotFound(f"quarantined file {file_id} not found")
    return found
