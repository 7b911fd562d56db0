"""REST endpoints of the passive cycle: received invoices, their files, outcomes, quarantine."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from fatturahub.api.deps import OperatorDep, PrincipalDep, SessionDep, SettingsDep, company_access
from fatturahub.db.pagination import Page
from fatturahub.errors import NotFound
from fatturahub.inbox import outcomes, schemas, service
from fatturahub.inbox.models import ReceivedFile, ReceivedInvoice
from fatturahub.inbox.repository import ReceivedFilter
from fatturahub.inbox.states import ReceivedState, SignatureStatus
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess

router = APIRouter(prefix="/v1", tags=["received invoices"])
operator = APIRouter(prefix="/v1/operator/quarantine", tags=["operator"], dependencies=[OperatorDep])
ReceivedRead = Annotated[CompanyAccess, Depends(company_access(Area.RECEIVED_INVOICES, Level.READ))]
ReceivedWrite = Annotated[CompanyAccess, Depends(company_access(Area.RECEIVED_INVOICES, Level.WRITE))]
BASE = "/companies/{company_id}/received-invoices"
ONE = BASE + "/{invoice_id}"


def _storage(settings: Settings) -> LocalStorage:
    return LocalStorage(settings.storage_path)


def _out(invoice: ReceivedInvoice, file: ReceivedFile) -> schemas.ReceivedInvoiceOut:
    return service.invoice_out(invoice, file)


@router.get(BASE, response_model=schemas.ReceivedInvoicePage)
async def list_received(
    session: SessionDep,
    access: ReceivedRead,
    supplier: Annotated[
        str | None, Query(max_length=80, description="P.IVA, codice fiscale or part of the name")
    ] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    numero: Annotated[str | None, Query(max_length=20)] = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    tipo_documento: Annotated[str | None, Query(pattern=r"^TD[0-9]{2}$")] = None,
    state: ReceivedState | None = None,
    signature_status: SignatureStatus | None = None,
    downloaded: bool | None = None,
    readable: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.ReceivedInvoicePage:
    where = ReceivedFilter(
        supplier,
        date_from,
        date_to,
        numero,
        amount_min,
        amount_max,
        tipo_documento,
        state.value if state else None,
        signature_status.value if signature_status else None,
        downloaded,
        readable,
    )
    page = await service.list_received(session, access, where, limit=limit, cursor=cursor)
    files = await service.files_of(session, page.items)
    return schemas.ReceivedInvoicePage(
        items=[_out(i, files[i.file_id]) for i in page.items], next_cursor=page.next_cursor
    )


@router.get(ONE, response_model=schemas.ReceivedInvoiceDetail)
async def get_received(
    invoice_id: uuid.UUID, session: SessionDep, settings: SettingsDep, access: ReceivedRead
) -> schemas.ReceivedInvoiceDetail:
    """The parsed document, SDI's metadata, the signature report, warnings, payment terms and
    the outcomes sent."""
    detail = await service.get_detail(session, access, invoice_id)
    return service.detail_out(_storage(settings), detail)


@router.get(ONE + "/file", response_class=Response)
async def original_file(
    invoice_id: uuid.UUID, session: SessionDep, settings: SettingsDep, access: ReceivedRead
) -> Response:
    """The file exactly as SDI delivered it (.xml or .p7m)."""
    detail = await service.get_detail(session, access, invoice_id)
    return _download(service.original(_storage(settings), detail.file), detail.file.file_name)


def _download(content: bytes, name: str) -> Response:
    signed = name.lower().endswith(".p7m")
    return Response(
        content,
        media_type="application/pkcs7-mime" if signed else "application/xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(ONE + "/xml", response_class=Response)
async def plain_xml(
    invoice_id: uuid.UUID, session: SessionDep, settings: SettingsDep, access: ReceivedRead
) -> Response:
    """The plain XML of the whole file, out of its envelopes (a lotto keeps every body)."""
    detail = await service.get_detail(session, access, invoice_id)
    return Response(service.plain_xml(_storage(settings), detail.file), media_type="application/xml")


@router.get(ONE + "/html", response_class=Response)
async def html(
    invoice_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    access: ReceivedRead,
    style: Literal["ministerial", "assosoftware"] = "ministerial",
) -> Response:
    detail = await service.get_detail(session, access, invoice_id)
    return Response(service.html(_storage(settings), detail.file, style), media_type="text/html")


@router.get(ONE + "/attachments", response_model=list[schemas.AttachmentOut])
async def list_attachments(
    invoice_id: uuid.UUID, session: SessionDep, settings: SettingsDep, access: ReceivedRead
) -> list[schemas.AttachmentOut]:
    detail = await service.get_detail(session, access, invoice_id)
    found = service.attachments_of(_storage(settings), detail.file, detail.invoice)
    return [
        schemas.AttachmentOut(number=n, name=a.name, format=a.format, description=a.description, size=a.size)
        for n, a in enumerate(found, start=1)
    ]


@router.get(ONE + "/attachments/{number}", response_class=Response)
async def attachment(
    invoice_id: uuid.UUID, number: int, session: SessionDep, settings: SettingsDep, access: ReceivedRead
) -> Response:
    detail = await service.get_detail(session, access, invoice_id)
    found = service.attachments_of(_storage(settings), detail.file, detail.invoice)
    if not 1 <= number <= len(found):
        raise NotFound(f"attachment {number} not found")
    item = found[number - 1]
    safe_name = "".join(c for c in item.name if c.isalnum() or c in "._- ")[:100] or f"allegato-{number}"
    return Response(
        item.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )


@router.post(ONE + "/read", response_model=schemas.ReceivedInvoiceOut)
async def mark_read(
    invoice_id: uuid.UUID, session: SessionDep, access: ReceivedWrite
) -> schemas.ReceivedInvoiceOut:
    detail = await service.get_detail(session, access, invoice_id)
    service.mark_read(detail.invoice)
    return _out(detail.invoice, detail.file)


@router.post(ONE + "/downloaded", response_model=schemas.ReceivedInvoiceOut)
async def mark_downloaded(
    invoice_id: uuid.UUID, session: SessionDep, access: ReceivedWrite
) -> schemas.ReceivedInvoiceOut:
    """The ERP's "acquired" flag (filter the list with downloaded=false to fetch only new ones)."""
    detail = await service.get_detail(session, access, invoice_id)
    service.mark_downloaded(detail.invoice)
    return _out(detail.invoice, detail.file)


@router.post(ONE + "/outcome", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.OutcomeOut)
async def send_outcome(
    invoice_id: uuid.UUID,
    body: schemas.OutcomeIn,
    session: SessionDep,
    principal: PrincipalDep,
    access: ReceivedWrite,
) -> schemas.OutcomeOut:
    """PA invoices (FPA12): accept (EC01) or refuse (EC02, with the reason) within 15 days of
    delivery; queued and sent to SDI through the company's channel. 409 after the term or DT."""
    outcome = await outcomes.request_outcome(
        session, principal, access, invoice_id, esito=body.esito, descrizione=body.descrizione
    )
    return schemas.OutcomeOut.model_validate(outcome)


# --- quarantine -------------------------------------------------------------------------------
def _quarantine_page(page: Page[ReceivedFile]) -> schemas.QuarantinePage:
    return schemas.QuarantinePage(
        items=[schemas.QuarantinedFileOut.model_validate(f) for f in page.items], next_cursor=page.next_cursor
    )


@router.get("/received-invoices/quarantine", response_model=schemas.QuarantinePage)
async def account_quarantine(
    session: SessionDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.QuarantinePage:
    """Files delivered for the account that no company of it claims (owners and admins)."""
    return _quarantine_page(await service.account_quarantine(session, principal, limit=limit, cursor=cursor))


@router.post("/received-invoices/quarantine/{file_id}/route", response_model=schemas.QuarantinedFileOut)
async def route_quarantined(
    file_id: uuid.UUID, body: schemas.RouteIn, session: SessionDep, principal: PrincipalDep
) -> schemas.QuarantinedFileOut:
    """Give a quarantined file to a company you may write received invoices of."""
    file = await service.route_from_account_quarantine(session, principal, file_id, body.company_id)
    return schemas.QuarantinedFileOut.model_validate(file)


@operator.get("", response_model=schemas.QuarantinePage)
async def operator_quarantine(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.QuarantinePage:
    """Files no account claims: neither the recipient nor the codice destinatario names one."""
    return _quarantine_page(await service.operator_quarantine(session, limit=limit, cursor=cursor))


@operator.post("/{file_id}/route", response_model=schemas.QuarantinedFileOut)
async def operator_route(
    file_id: uuid.UUID, body: schemas.RouteIn, session: SessionDep
) -> schemas.QuarantinedFileOut:
    file = await service.route_from_operator_quarantine(session, file_id, body.company_id)
    return schemas.QuarantinedFileOut.model_validate(file)
