"""Active-cycle use cases: create (checked as SDI will, see `checks`), read, list, move the state.

Nothing is stored unless every SDI check passes; sending is `sending.queue_for_sending`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from fatturahub import fatturapa
from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import Conflict, NotFound
from fatturahub.fatturapa import FatturaElettronicaSemplificata
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.invoices import building, counters, events
from fatturahub.invoices.checks import duplicate_keys, invalid, sdi_checks
from fatturahub.invoices.models import Invoice, InvoiceKey, Notification
from fatturahub.invoices.sending import Services, queue_for_sending
from fatturahub.invoices.states import InvoiceState
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.services.accounts import charge_storage
from fatturahub.webhooks.publishing import new_subject


@dataclass(frozen=True)
class Incoming:
    """What the ERP posted: FatturaPA JSON, or a file (XML, .p7m, base64 of either)."""

    json: Any = None
    file: bytes | None = None


async def _document(
    session: AsyncSession, company: Company, incoming: Incoming, today: date, sezionale: str
) -> tuple[fatturapa.Document, bytes, str, bytes | None]:
    """(document, its XML, origin, original signed bytes) of what was posted; raises on unreadable."""
    if incoming.file is None:

        async def number_for(issued: date) -> str:
            value = await counters.next_value(session, f"numero:{company.id}:{issued.year}:{sezionale}")
            return f"{value}/{sezionale}" if sezionale else str(value)

        document = await building.from_json(incoming.json, company, today=today, number_for=number_for)
        xml, schema_issues = fatturapa.checked_xml(document)
        if schema_issues:
            raise invalid(schema_issues)
        return document, xml, "json", None
    try:
        reading = fatturapa.read(incoming.file)
    except FatturaPAError as exc:
        raise invalid(exc.issues) from None
    if reading.errors:
        raise invalid(reading.errors)
    signed = "cades" in reading.envelopes
    return reading.document, reading.xml, "p7m" if signed else "xml", incoming.file if signed else None


def _summary(document: fatturapa.Document) -> dict[str, Any]:
    body = document.FatturaElettronicaBody[0]
    general = body.DatiGenerali.DatiGeneraliDocumento
    customer = document.FatturaElettronicaHeader.CessionarioCommittente
    if isinstance(document, FatturaElettronicaSemplificata):
        ids = customer.IdentificativiFiscali
        vat, cf, name = ids.IdFiscaleIVA, ids.CodiceFiscale, (customer.AltriDatiIdentificativi or ids)
    else:
        dati = customer.DatiAnagrafici
        vat, cf, name = dati.IdFiscaleIVA, dati.CodiceFiscale, dati.Anagrafica
    display = getattr(name, "Denominazione", None) or " ".join(
        filter(None, [getattr(name, "Nome", None), getattr(name, "Cognome", None)])
    )
    return {
        "format": str(document.versione),
        "tipo_documento": str(general.TipoDocumento),
        "numero": general.Numero,
        "data": general.Data,
        "customer_id": f"{vat.IdPaese}{vat.IdCodice}" if vat else (cf or ""),
        "customer_name": display[:200],
        "total": getattr(general, "ImportoTotaleDocumento", None),
    }


async def create_invoice(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    incoming: Incoming,
    *,
    services: Services,
    send: bool = True,
    sezionale: str = "",
) -> Invoice:
    company = await session.get_one(Company, access.company_id)
    now = utcnow()
    today = now.date()
    document, xml, origin, original = await _document(session, company, incoming, today, sezionale)
    keys = duplicate_keys(document)
    await sdi_checks(session, company, document, keys, today, services.lang)
    invoice = Invoice(
        id=uuid.uuid4(),
        created_at=now,  # the answer is built before the commit's flush would set it
        account_id=company.account_id,
        company_id=company.id,
        state=InvoiceState.DRAFT,
        document=xml,
        origin=origin,
        original=original,
        **_summary(document),
    )
    session.add(invoice)
    new_subject(session, invoice.id)
    session.add_all(InvoiceKey(invoice_id=invoice.id, key=key, company_id=company.id) for key in keys)
    record(
        session,
        principal,
        action="invoice.created",
        target=invoice,
        access=access,
        details={"numero": invoice.numero, "origin": origin},
    )
    await events.publish_invoice(session, invoice, "invoice.created")
    # Charging the account's quota comes last (it locks the account's row until the commit);
    # sending charges this and the sent file at once.
    size = len(xml) + len(original or b"")
    if send:
        await queue_for_sending(
            session, principal, access, invoice, services=services, checked_now=True, also_charge=size
        )
    else:
        await charge_storage(session, company.account_id, size)
    return invoice


async def get_invoice(session: AsyncSession, access: CompanyAccess, invoice_id: uuid.UUID) -> Invoice:
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None or invoice.company_id != access.company_id:
        raise NotFound(f"invoice {invoice_id} not found")
    return invoice


async def notifications_of(session: AsyncSession, invoice: Invoice) -> list[Notification]:
    query = (
        select(Notification).where(Notification.invoice_id == invoice.id).order_by(Notification.created_at)
    )
    return list(await session.scalars(query))


async def get_notification(
    session: AsyncSession, invoice: Invoice, notification_id: uuid.UUID
) -> Notification:
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.invoice_id != invoice.id:
        raise NotFound(f"notification {notification_id} not found")
    return notification


@dataclass(frozen=True)
class InvoiceFilter:
    state: InvoiceState | None = None
    date_from: date | None = None
    date_to: date | None = None
    numero: str | None = None
    customer: str | None = None
    identificativo_sdi: str | None = None
    file_name: str | None = None


async def list_invoices(
    session: AsyncSession, access: CompanyAccess, where: InvoiceFilter, *, limit: int, cursor: str | None
) -> Page[Invoice]:
    query = select(Invoice).where(Invoice.company_id == access.company_id)
    if where.state:
        query = query.where(Invoice.state == where.state)
    if where.date_from:
        query = query.where(Invoice.data >= where.date_from)
    if where.date_to:
        query = query.where(Invoice.data <= where.date_to)
    if where.numero:
        query = query.where(Invoice.numero == where.numero)
    if where.identificativo_sdi:
        query = query.where(Invoice.identificativo_sdi == where.identificativo_sdi)
    if where.file_name:
        query = query.where(Invoice.file_name == where.file_name)
    if where.customer:
        pattern = f"%{where.customer.lower()}%"
        query = query.where(
            or_(Invoice.customer_id == where.customer.upper(), Invoice.customer_name.ilike(pattern))
        )
    return await paginate(session, query, Invoice, limit=limit, cursor=cursor)


async def find_invoice(session: AsyncSession, access: CompanyAccess, where: InvoiceFilter) -> Invoice:
    """The one invoice matching `where` (a file name, or a number and date); NotFound if none,
    Conflict if several (the same number on an invoice and a credit note)."""
    page = await list_invoices(session, access, where, limit=2, cursor=None)
    if not page.items:
        raise NotFound("no invoice matches")
    if len(page.items) > 1:
        raise Conflict("several invoices match: ask by id or file name")
    return page.items[0]


_MOVE = (  # built once: every step of every invoice passes here
    update(Invoice)
    .where(Invoice.id == bindparam("invoice_id"), Invoice.state == bindparam("expected"))
    .values(state=bindparam("target"))
    .execution_options(synchronize_session=False)
)


async def move(session: AsyncSession, invoice: Invoice, target: InvoiceState) -> bool:
    """Compare-and-set the state: only from the state we read, so a concurrent change is never
    overwritten (SQLite reads outside the writing transaction; PostgreSQL would lock anyway)."""
    expected = invoice.state
    parameters = {"invoice_id": invoice.id, "expected": expected, "target": target}
    result = await session.execute(_MOVE, parameters)
    if result.rowcount != 1:
        await session.refresh(invoice)
        return False
    set_committed_value(invoice, "state", target)  # the UPDATE above wrote it: no second one at flush
    await events.publish_invoice(session, invoice, "invoice.state_changed", previous=str(expected))
    return True
