"""REST endpoints of the active cycle."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from fatturahub.api.deps import PrincipalDep, SessionDep, SettingsDep, company_access
from fatturahub.errors import InvalidInput
from fatturahub.fatturapa.render import render_html
from fatturahub.invoices import checks, schemas, sending, service
from fatturahub.invoices.models import Invoice
from fatturahub.invoices.states import InvoiceState
from fatturahub.settings import Settings
from fatturahub.storage import LocalStorage
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess

router = APIRouter(prefix="/v1", tags=["invoices"])
InvoicesRead = Annotated[CompanyAccess, Depends(company_access(Area.ACTIVE_INVOICES, Level.READ))]
InvoicesWrite = Annotated[CompanyAccess, Depends(company_access(Area.ACTIVE_INVOICES, Level.WRITE))]
MAX_UPLOAD = 7 * 1024 * 1024  # a 5 MB file, base64-encoded
FILE_TYPES = ("application/xml", "text/xml", "application/pkcs7-mime", "application/octet-stream")


async def _body(request: Request) -> bytes:
    """The request body, refused past MAX_UPLOAD before it is all in memory."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_UPLOAD:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> InvalidInput:
    return InvalidInput(
        "file too large", errors=[{"path": "", "code": "00003", "message": f"more than {MAX_UPLOAD} bytes"}]
    )


async def _incoming(request: Request) -> service.Incoming:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data = await _body(request)
    if content_type == "application/json":
        try:
            return service.Incoming(json=json.loads(data))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise InvalidInput("not valid JSON", errors=[{"path": "", "message": str(exc)}]) from None
    if content_type in FILE_TYPES:
        return service.Incoming(file=data)
    raise InvalidInput(
        "unsupported content type",
        errors=[
            {"path": "content-type", "message": f"use application/json or one of {', '.join(FILE_TYPES)}"}
        ],
    )


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "it").lower().startswith("en") else "it"


def _services(settings: Settings, request: Request) -> sending.Services:
    return sending.Services(LocalStorage(settings.storage_path), settings.signing_key(), _language(request))


def _out(invoice: Invoice) -> schemas.InvoiceOut:
    return schemas.InvoiceOut.model_validate(
        {
            **{f: getattr(invoice, f) for f in schemas.InvoiceOut.model_fields if f != "errors"},
            "errors": (invoice.errors or {}).get("items", []),
        }
    )


@router.post(
    "/companies/{company_id}/invoices",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.InvoiceOut,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "FatturaPA JSON; header, "
                        "CedentePrestatore, Numero, DatiRiepilogo and totals may be left out",
                    }
                },
                "application/xml": {"schema": {"type": "string"}},
                "application/pkcs7-mime": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def create_invoice(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    access: InvoicesWrite,
    response: Response,
    send: bool = True,
    sezionale: Annotated[str, Query(pattern=r"^[A-Za-z0-9]{0,10}$")] = "",
) -> schemas.InvoiceOut:
    """Create an invoice from FatturaPA JSON or a ready file. SDI's checks run first: an invoice
    SDI would reject gets 422 with SDI's codes and nothing is stored. `send=false` keeps a draft."""
    invoice = await service.create_invoice(
        session,
        principal,
        access,
        await _incoming(request),
        services=_services(settings, request),
        send=send,
        sezionale=sezionale,
    )
    response.headers["Location"] = f"/v1/companies/{access.company_id}/invoices/{invoice.id}"
    return _out(invoice)


@router.post("/validate", response_model=schemas.ValidationReport)
async def validate(request: Request, principal: PrincipalDep) -> schemas.ValidationReport:
    """SDI's checks on a complete invoice (JSON, XML or .p7m), without storing anything."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    issues = checks.preview(
        await _body(request), is_json=content_type == "application/json", lang=_language(request)
    )
    return schemas.ValidationReport(valid=not issues, errors=[i.as_dict() for i in issues])


@router.get("/companies/{company_id}/invoices", response_model=schemas.InvoicePage)
async def list_invoices(
    session: SessionDep,
    access: InvoicesRead,
    state: InvoiceState | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    numero: Annotated[str | None, Query(max_length=20)] = None,
    customer: Annotated[
        str | None, Query(max_length=80, description="customer id or part of the name")
    ] = None,
    identificativo_sdi: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.InvoicePage:
    where = service.InvoiceFilter(state, date_from, date_to, numero, customer, identificativo_sdi)
    page = await service.list_invoices(session, access, where, limit=limit, cursor=cursor)
    return schemas.InvoicePage(items=[_out(i) for i in page.items], next_cursor=page.next_cursor)


@router.get("/companies/{company_id}/invoices/{invoice_id}", response_model=schemas.InvoiceDetail)
async def get_invoice(
    invoice_id: uuid.UUID, session: SessionDep, access: InvoicesRead
) -> schemas.InvoiceDetail:
    invoice = await service.get_invoice(session, access, invoice_id)
    notifications = [
        schemas.NotificationOut.model_validate(n) for n in await service.notifications_of(session, invoice)
    ]
    return schemas.InvoiceDetail(**_out(invoice).model_dump(), notifications=notifications)


@router.post("/companies/{company_id}/invoices/{invoice_id}/send", response_model=schemas.InvoiceOut)
async def send_invoice(
    invoice_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    access: InvoicesWrite,
) -> schemas.InvoiceOut:
    """Send a draft: its file name is reserved and it is queued for the company's SDI channel."""
    invoice = await service.get_invoice(session, access, invoice_id)
    await sending.queue_for_sending(
        session, principal, access, invoice, services=_services(settings, request)
    )
    return _out(invoice)


@router.get("/companies/{company_id}/invoices/{invoice_id}/file", response_class=Response)
async def invoice_file(
    invoice_id: uuid.UUID, session: SessionDep, settings: SettingsDep, access: InvoicesRead
) -> Response:
    """The file as sent to SDI (signed when it was), or the draft's XML."""
    invoice = await service.get_invoice(session, access, invoice_id)
    if invoice.file_key is None:
        return Response(invoice.document, media_type="application/xml")
    signed = invoice.file_name.endswith(".p7m")
    return Response(
        LocalStorage(settings.storage_path).get(invoice.file_key),
        media_type="application/pkcs7-mime" if signed else "application/xml",
        headers={"Content-Disposition": f'attachment; filename="{invoice.file_name}"'},
    )


@router.get("/companies/{company_id}/invoices/{invoice_id}/html", response_class=Response)
async def invoice_html(
    invoice_id: uuid.UUID,
    session: SessionDep,
    access: InvoicesRead,
    style: Literal["ministerial", "assosoftware"] = "ministerial",
) -> Response:
    invoice = await service.get_invoice(session, access, invoice_id)
    return Response(render_html(invoice.document, style=style), media_type="text/html")


@router.get(
    "/companies/{company_id}/invoices/{invoice_id}/notifications",
    response_model=list[schemas.NotificationOut],
)
async def list_notifications(
    invoice_id: uuid.UUID, session: SessionDep, access: InvoicesRead
) -> list[schemas.NotificationOut]:
    invoice = await service.get_invoice(session, access, invoice_id)
    return [
        schemas.NotificationOut.model_validate(n) for n in await service.notifications_of(session, invoice)
    ]


@router.get(
    "/companies/{company_id}/invoices/{invoice_id}/notifications/{notification_id}/file",
    response_class=Response,
)
async def notification_file(
    invoice_id: uuid.UUID, notification_id: uuid.UUID, session: SessionDep, access: InvoicesRead
) -> Response:
    """The notification file exactly as SDI sent it."""
    invoice = await service.get_invoice(session, access, invoice_id)
    notification = await service.get_notification(session, invoice, notification_id)
    return Response(
        notification.content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{notification.file_name}"'},
    )
