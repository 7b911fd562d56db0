"""Use cases of received invoices for the API: read, mark, render, and route from quarantine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import fatturapa
from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page
from fatturahub.errors import Conflict, Forbidden, NotFound
from fatturahub.fatturapa.render import Attachment, Style, attachments, render_html
from fatturahub.inbox import events, repository, schemas
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice, ReceivedOutcome
from fatturahub.inbox.receiving import link
from fatturahub.inbox.repository import ReceivedFilter
from fatturahub.inbox.rules import PA_FORMAT, outcome_deadline
from fatturahub.inbox.states import ReceivedState
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.access import require_company
from fatturahub.tenancy.models import Company
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess, Principal


@dataclass(frozen=True)
class Detail:
    invoice: ReceivedInvoice
    file: ReceivedFile
    outcomes: list[ReceivedOutcome]


async def list_received(
    session: AsyncSession, access: CompanyAccess, where: ReceivedFilter, *, limit: int, cursor: str | None
) -> Page[ReceivedInvoice]:
    return await repository.list_received(session, access, where, limit=limit, cursor=cursor)


async def files_of(session: AsyncSession, invoices: list[ReceivedInvoice]) -> dict[uuid.UUID, ReceivedFile]:
    return await repository.files_of(session, invoices)


async def get_detail(session: AsyncSession, access: CompanyAccess, invoice_id: uuid.UUID) -> Detail:
    invoice, file = await repository.get_received(session, access, invoice_id)
    return Detail(invoice, file, await repository.outcomes_of(session, invoice.id))


def invoice_out(invoice: ReceivedInvoice, file: ReceivedFile) -> schemas.ReceivedInvoiceOut:
    """The API's view of one received invoice (REST's body, and SOAP's through it)."""
    return schemas.ReceivedInvoiceOut(**_fields(invoice, file))


def detail_out(storage: LocalStorage, detail: Detail) -> schemas.ReceivedInvoiceDetail:
    """The parsed document, SDI's metadata, the signature report, warnings, payment terms and
    the outcomes sent."""
    invoice, file = detail.invoice, detail.file
    pa = invoice.format == PA_FORMAT
    return schemas.ReceivedInvoiceDetail(
        **_fields(invoice, file),
        document=document_json(storage, file, invoice.position),
        sdi_metadata=file.sdi_metadata,
        metadata_file_name=file.metadata_file_name,
        signature=file.signature,
        warnings=file.warnings.get("items", []),
        repairs=file.warnings.get("repairs", []),
        envelopes=file.envelopes.get("items", []),
        problem=file.problem,
        payment_terms=invoice.payment_terms.get("items", []),
        outcome_deadline=outcome_deadline(file.created_at) if pa else None,
        expired_at=file.expired_at,
        outcomes=[schemas.OutcomeOut.model_validate(o) for o in detail.outcomes],
    )


def _fields(invoice: ReceivedInvoice, file: ReceivedFile) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "company_id": invoice.company_id,
        "file_id": file.id,
        "identificativo_sdi": file.identificativo_sdi,
        "source": file.source,
        "file_name": file.file_name,
        "position": invoice.position,
        "state": invoice.state,
        "readable": invoice.readable,
        "format": invoice.format,
        "tipo_documento": invoice.tipo_documento,
        "numero": invoice.numero,
        "data": invoice.data,
        "divisa": invoice.divisa,
        "total": invoice.total,
        "supplier": schemas.SupplierOut(
            partita_iva=invoice.supplier_partita_iva,
            codice_fiscale=invoice.supplier_codice_fiscale,
            name=invoice.supplier_name,
        ),
        "signature_status": file.signature_status,
        "duplicate_of": invoice.duplicate_of,
        "self_invoice_of": invoice.self_invoice_of,
        "received_at": file.created_at,
        "read_at": invoice.read_at,
        "downloaded_at": invoice.downloaded_at,
    }


def document_json(storage: LocalStorage, file: ReceivedFile, position: int) -> dict[str, Any] | None:
    """The FatturaPA JSON of one body: the file's header with only that body."""
    if not file.readable:
        return None
    document = fatturapa.read(storage.get(file.file_key), lenient=True).document
    data = document.model_dump(mode="json", exclude_none=True)
    data["FatturaElettronicaBody"] = [data["FatturaElettronicaBody"][position - 1]]
    return data


def original(storage: LocalStorage, file: ReceivedFile) -> bytes:
    return storage.get(file.file_key)


def plain_xml(storage: LocalStorage, file: ReceivedFile) -> bytes:
    """The whole file's XML out of its envelopes (a lotto keeps every body)."""
    _readable(file)
    return fatturapa.read(storage.get(file.file_key), lenient=True).xml


def html(storage: LocalStorage, file: ReceivedFile, style: Style) -> str:
    _readable(file)
    return render_html(storage.get(file.file_key), style=style)


def attachments_of(storage: LocalStorage, file: ReceivedFile, invoice: ReceivedInvoice) -> list[Attachment]:
    if not file.readable:
        return []
    return [a for a in attachments(storage.get(file.file_key)) if a.body == invoice.position]


def _readable(file: ReceivedFile) -> None:
    if not file.readable:
        raise Conflict(f"the file could not be read ({file.problem}); download the original instead")


def mark_read(invoice: ReceivedInvoice) -> None:
    if invoice.read_at is None:
        invoice.read_at = utcnow()
    if invoice.state == ReceivedState.NEW:
        invoice.state = ReceivedState.READ


def mark_downloaded(invoice: ReceivedInvoice) -> None:
    if invoice.downloaded_at is None:
        invoice.downloaded_at = utcnow()


# --- quarantine -------------------------------------------------------------------------------
def _may_manage_quarantine(principal: Principal) -> None:
    if not principal.manages_account:
        raise Forbidden("the account's quarantine is for account owners and administrators")


async def account_quarantine(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[ReceivedFile]:
    _may_manage_quarantine(principal)
    return await repository.list_quarantine(session, principal.account_id, limit=limit, cursor=cursor)


async def route_from_account_quarantine(
    session: AsyncSession, principal: Principal, file_id: uuid.UUID, company_id: uuid.UUID
) -> ReceivedFile:
    """Give a quarantined file to a company the caller may write received invoices of."""
    _may_manage_quarantine(principal)
    file = await repository.quarantined_file(session, principal.account_id, file_id)
    access = await require_company(session, principal, company_id, Area.RECEIVED_INVOICES, Level.WRITE)
    await assign(session, file, await session.get_one(Company, company_id))
    record(
        session,
        principal,
        action="received_file.routed",
        target=file,
        access=access,
        details={"file_name": file.file_name},
    )
    return file


async def operator_quarantine(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[ReceivedFile]:
    return await repository.list_quarantine(session, None, limit=limit, cursor=cursor)


async def route_from_operator_quarantine(
    session: AsyncSession, file_id: uuid.UUID, company_id: uuid.UUID
) -> ReceivedFile:
    file = await repository.quarantined_file(session, None, file_id)
    company = await session.get(Company, company_id)
    if company is None or company.archived_at is not None:
        raise NotFound(f"company {company_id} not found")
    await assign(session, file, company)
    return file


async def assign(session: AsyncSession, file: ReceivedFile, company: Company) -> None:
    """Route a file to `company`: its bytes move to the company's account quota, its invoices are
    linked (duplicates, self-invoices) and announced as created."""
    if file.account_id != company.account_id:
        if file.account_id is not None:
            await repository.add_storage(session, file.account_id, -file.size)
        await repository.add_storage(session, company.account_id, file.size)
    file.account_id, file.company_id = company.account_id, company.id
    file.routing = {"rule": "manual", "detail": "routed from quarantine", "before": file.routing}
    for invoice in await repository.invoices_of_file(session, file.id):
        invoice.account_id, invoice.company_id = company.account_id, company.id
        await session.flush()
        await link(session, file, invoice)
        await events.publish_received(session, invoice, file, events.CREATED)
