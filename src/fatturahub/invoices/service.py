"""Active-cycle use cases: create (validated as SDI will), list, read, queue for sending.

Nothing is stored unless every SDI check passes. Sending reserves the file name and the
ProgressivoInvio, signs, stores the file and queues the job in one transaction, before any
network call: a retry always sends the same file under the same name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import fatturapa
from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, paginate
from fatturahub.errors import Conflict, InvalidInput, NotFound
from fatturahub.fatturapa import FatturaElettronicaSemplificata
from fatturahub.fatturapa.controls import DuplicateKey, check, check_bytes, duplicate_key
from fatturahub.fatturapa.issues import FatturaPAError, Issue
from fatturahub.fatturapa.naming import Extension, invoice_file_name
from fatturahub.fatturapa.signature import Signer, sign_cades, sign_xades
from fatturahub.invoices import building, counters, events
from fatturahub.invoices.models import Invoice, InvoiceKey, Notification
from fatturahub.invoices.states import COUNTS_AS_ISSUED, InvoiceState
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.principal import CompanyAccess, Principal
from fatturahub.tenancy.sealing import unseal_certificate
from fatturahub.tenancy.services.accounts import charge_storage
from fatturahub.worker.queue import enqueue

SEND_JOB = "invoice.send"


@dataclass(frozen=True)
class Incoming:
    """What the ERP posted: FatturaPA JSON, or a file (XML, .p7m, base64 of either)."""

    json: Any = None
    file: bytes | None = None


@dataclass(frozen=True)
class Services:
    """What the use cases need from the outside, handed in by the request or job boundary."""

    storage: LocalStorage
    secret_key: str
    lang: str = "it"


def _invalid(issues: list[Issue]) -> InvalidInput:
    return InvalidInput(
        f"the invoice would be rejected by SDI ({len(issues)} problems)",
        errors=[issue.as_dict() for issue in issues],
    )


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
            raise _invalid(schema_issues)
        return document, xml, "json", None
    try:
        reading = fatturapa.read(incoming.file)
    except FatturaPAError as exc:
        raise _invalid(exc.issues) from None
    if reading.errors:
        raise _invalid(reading.errors)
    signed = "cades" in reading.envelopes
    return reading.document, reading.xml, "p7m" if signed else "xml", incoming.file if signed else None


def _keys(document: fatturapa.Document) -> list[str]:
    return sorted({_key_text(duplicate_key(document, body)) for body in document.FatturaElettronicaBody})


def _key_text(key: DuplicateKey) -> str:
    return f"{key.issuer}|{key.period}|{key.number}|{'NC' if key.credit_note else 'F'}"


async def _taken_keys(
    session: AsyncSession,
    company_id: uuid.UUID,
    keys: list[str],
    *,
    drafts: bool,
    besides: uuid.UUID | None = None,
) -> set[str]:
    """Which of `keys` the company's other invoices already hold (drafts too, when asked)."""
    states = COUNTS_AS_ISSUED | {InvoiceState.DRAFT} if drafts else COUNTS_AS_ISSUED
    query = (
        select(InvoiceKey.key)
        .join(Invoice, Invoice.id == InvoiceKey.invoice_id)
        .where(
            InvoiceKey.company_id == company_id,
            InvoiceKey.key.in_(keys),
            Invoice.state.in_([s.value for s in states]),
        )
    )
    if besides is not None:
        query = query.where(Invoice.id != besides)
    return set(await session.scalars(query))


async def _sdi_checks(
    session: AsyncSession, company: Company, document: fatturapa.Document, today: date, lang: str
) -> None:
    """SDI's controls, with 00404 against the company's own invoices (the schema passed already)."""
    # a draft with the same number would collide when both are sent: say so now
    existing = await _taken_keys(session, company.id, _keys(document), drafts=True)
    report = check(
        document,
        receipt_date=today,
        duplicates=lambda key: _key_text(key) in existing,
        lang=lang,
        schema_valid=True,
    )
    if report.issues:
        raise _invalid(report.issues)


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
    today = utcnow().date()
    document, xml, origin, original = await _document(session, company, incoming, today, sezionale)
    await _sdi_checks(session, company, document, today, services.lang)
    invoice = Invoice(
        account_id=company.account_id,
        company_id=company.id,
        state=InvoiceState.DRAFT,
        document=xml,
        origin=origin,
        original=original,
        **_summary(document),
    )
    await charge_storage(session, company.account_id, len(xml) + len(original or b""))
    session.add(invoice)
    await session.flush()
    for key in _keys(document):
        session.add(InvoiceKey(invoice_id=invoice.id, key=key, company_id=company.id))
    record(
        session,
        principal,
        action="invoice.created",
        target=invoice,
        access=access,
        details={"numero": invoice.numero, "origin": origin},
    )
    await events.publish_invoice(session, invoice, "invoice.created")
    if send:
        await queue_for_sending(session, principal, access, invoice, services=services)
    return invoice


async def queue_for_sending(
    session: AsyncSession,
    principal: Principal,
    access: CompanyAccess,
    invoice: Invoice,
    *,
    services: Services,
) -> Invoice:
    """Reserve the file name, sign, store the file and queue the job: all before the network."""
    if invoice.state != InvoiceState.DRAFT:
        raise Conflict(f"invoice is {invoice.state}, only drafts can be sent")
    company = await session.get_one(Company, invoice.company_id)
    await _ensure_not_issued_twice(session, invoice)
    signer = _signer(company, services.secret_key)
    if invoice.format == "FPA12" and signer is None and invoice.origin != "p7m":
        raise InvalidInput(
            "invoices to a public administration (FPA12) must be signed",
            errors=[
                {
                    "path": "company.signing_certificate",
                    "code": "00102",
                    "message": "upload the company's signing certificate, or send a signed .p7m",
                }
            ],
        )
    code = building.transmitter_code(company)
    counter = await counters.next_value(session, f"file:IT{code}")
    name = invoice_file_name("IT", code, counter, _extension(invoice, signer, company))
    if invoice.origin == "json":  # our own XML carries the file's progressive as ProgressivoInvio
        invoice.document = _with_progressive(invoice.document, name.progressive)
    content = invoice.original if invoice.origin == "p7m" else _signed(invoice.document, signer, company)
    await charge_storage(session, invoice.account_id, len(content))
    invoice.file_name = str(name)
    invoice.file_key = services.storage.put(content)
    invoice.file_sha256 = invoice.file_key
    invoice.state = InvoiceState.QUEUED
    invoice.queued_at = utcnow()
    enqueue(session, SEND_JOB, {"invoice_id": str(invoice.id)})
    record(
        session,
        principal,
        action="invoice.queued",
        target=invoice,
        access=access,
        details={"file_name": invoice.file_name},
    )
    await events.publish_invoice(session, invoice, "invoice.state_changed", previous="draft")
    return invoice


async def _ensure_not_issued_twice(session: AsyncSession, invoice: Invoice) -> None:
    """00404 again at sending time: another invoice with the same key may have gone out since."""
    keys = list(await session.scalars(select(InvoiceKey.key).where(InvoiceKey.invoice_id == invoice.id)))
    if await _taken_keys(session, invoice.company_id, keys, drafts=False, besides=invoice.id):
        raise _invalid(
            [
                Issue(
                    "00404",
                    "/FatturaElettronica/FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Numero",
                    f"invoice {invoice.numero} of {invoice.data.year} was already issued",
                )
            ]
        )


def _signer(company: Company, secret_key: str) -> Signer | None:
    if company.signing_certificate is None:
        return None
    pkcs12, password = unseal_certificate(secret_key, company.signing_certificate)
    return Signer.from_pkcs12(pkcs12, password)


def _extension(invoice: Invoice, signer: Signer | None, company: Company) -> Extension:
    cades = invoice.origin == "p7m" or (signer is not None and company.signing_format != "xades")
    return Extension.SIGNED if cades else Extension.XML


def _signed(xml: bytes, signer: Signer | None, company: Company) -> bytes:
    if signer is None:
        return xml
    return sign_xades(xml, signer) if company.signing_format == "xades" else sign_cades(xml, signer)


def _with_progressive(xml: bytes, progressive: str) -> bytes:
    document = fatturapa.parse(xml)
    document.FatturaElettronicaHeader.DatiTrasmissione.ProgressivoInvio = progressive
    return fatturapa.serialize(document)


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
    if where.customer:
        pattern = f"%{where.customer.lower()}%"
        query = query.where(
            or_(Invoice.customer_id == where.customer.upper(), Invoice.customer_name.ilike(pattern))
        )
    return await paginate(session, query, Invoice, limit=limit, cursor=cursor)


def preview(data: bytes, *, is_json: bool, lang: str) -> list[Issue]:
    """POST /v1/validate: SDI's checks on a complete invoice, storing and numbering nothing."""
    if not is_json:
        return check_bytes(data, receipt_date=utcnow().date(), lang=lang)
    try:
        document = fatturapa.from_json(data)
    except FatturaPAError as exc:
        return exc.issues
    schema_issues = fatturapa.validate(document)
    if schema_issues:
        return schema_issues
    return check(document, receipt_date=utcnow().date(), lang=lang, schema_valid=True).issues


async def move(session: AsyncSession, invoice: Invoice, target: InvoiceState) -> bool:
    """Compare-and-set the state: only from the state we read, so a concurrent change is never
    overwritten (SQLite reads outside the writing transaction; PostgreSQL would lock anyway)."""
    expected = invoice.state
    result = await session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.state == expected)
        .values(state=target)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await session.refresh(invoice)
        return False
    invoice.state = target
    await events.publish_invoice(session, invoice, "invoice.state_changed", previous=str(expected))
    return True
