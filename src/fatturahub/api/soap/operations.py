"""The operations: each reads its request, calls the same service as its REST twin, and maps the
REST response model into the SOAP one. No rules of their own live here."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fatturahub.api.soap import replay
from fatturahub.api.soap import types as t
from fatturahub.api.soap.calls import Call
from fatturahub.errors import InvalidInput
from fatturahub.invoices import checks, schemas, service
from fatturahub.invoices.endpoints import _out as rest_invoice  # REST's own view of an invoice
from fatturahub.invoices.models import Invoice
from fatturahub.invoices.states import InvoiceState
from fatturahub.tenancy.permissions import Area, Level
from fatturahub.tenancy.principal import CompanyAccess
from fatturahub.webhooks import schemas as event_schemas
from fatturahub.webhooks import service as events


def _file(data: Any) -> bytes:
    return b"".join(data)  # Spyne hands base64Binary over as a sequence of chunks


# --- SendInvoice, ValidateInvoice --------------------------------------------------------------
async def send_invoice(call: Call, request: t.SendInvoiceRequest) -> t.InvoiceResponse:
    if request.IdempotencyKey is None:
        created = await _create(call, request)
    else:
        digest = replay.request_hash(
            request.CompanyId.encode(), str(request.Send).encode(), _file(request.File)
        )
        kept = await replay.once(call, request.IdempotencyKey, digest, lambda: _create_kept(call, request))
        created = schemas.InvoiceOut.model_validate_json(kept)
    return t.InvoiceResponse(Invoice=_invoice(created))


async def _create(call: Call, request: t.SendInvoiceRequest) -> schemas.InvoiceOut:
    access = await call.company(request.CompanyId, Area.ACTIVE_INVOICES, Level.WRITE)
    invoice = await service.create_invoice(
        call.session,
        call.principal,
        access,
        service.Incoming(file=_file(request.File)),
        services=call.services(),
        send=request.Send,
    )
    return rest_invoice(invoice)


async def _create_kept(call: Call, request: t.SendInvoiceRequest) -> bytes:
    return (await _create(call, request)).model_dump_json().encode()


async def validate_invoice(call: Call, request: t.ValidateInvoiceRequest) -> t.ValidationReport:
    issues = checks.preview(_file(request.File), is_json=False, lang=call.lang)
    return t.ValidationReport(Valid=not issues, Errors=[_error(i.as_dict()) for i in issues])


# --- reading invoices and their notifications ----------------------------------------------------
async def get_invoice(call: Call, request: t.GetInvoiceRequest) -> t.InvoiceDetail:
    access = await _reader(call, request.CompanyId)
    invoice = await _find(call, access, request)
    notifications = await service.notifications_of(call.session, invoice)
    return t.InvoiceDetail(
        Invoice=_invoice(rest_invoice(invoice)), Notifications=[_notification(n) for n in notifications]
    )


async def _find(call: Call, access: CompanyAccess, request: t.GetInvoiceRequest) -> Invoice:
    if request.InvoiceId is not None:
        return await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    if request.FileName is not None:
        where = service.InvoiceFilter(file_name=request.FileName)
    elif request.Numero is not None and request.Data is not None:
        where = service.InvoiceFilter(numero=request.Numero, date_from=request.Data, date_to=request.Data)
    else:
        raise InvalidInput(
            "which invoice?",
            errors=[{"path": "InvoiceId", "message": "give InvoiceId, FileName, or Numero with Data"}],
        )
    return await service.find_invoice(call.session, access, where)


async def list_invoices(call: Call, request: t.ListInvoicesRequest) -> t.InvoicePage:
    access = await _reader(call, request.CompanyId)
    where = service.InvoiceFilter(
        InvoiceState(request.State) if request.State else None,
        request.DateFrom,
        request.DateTo,
        request.Numero,
        request.Customer,
        request.IdentificativoSdi,
    )
    page = await service.list_invoices(
        call.session, access, where, limit=request.Limit, cursor=request.Cursor
    )
    return t.InvoicePage(Items=[_invoice(rest_invoice(i)) for i in page.items], NextCursor=page.next_cursor)


async def list_invoice_notifications(call: Call, request: t.InvoiceRef) -> t.NotificationsResponse:
    access = await _reader(call, request.CompanyId)
    invoice = await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    notifications = await service.notifications_of(call.session, invoice)
    return t.NotificationsResponse(Notifications=[_notification(n) for n in notifications])


async def get_notification_file(call: Call, request: t.NotificationRef) -> t.FileResponse:
    access = await _reader(call, request.CompanyId)
    invoice = await service.get_invoice(call.session, access, uuid.UUID(request.InvoiceId))
    notification = await service.get_notification(call.session, invoice, uuid.UUID(request.NotificationId))
    return t.FileResponse(FileName=notification.file_name, Content=[notification.content])


async def _reader(call: Call, company_id: str) -> CompanyAccess:
    return await call.company(company_id, Area.ACTIVE_INVOICES, Level.READ)


# --- the events feed -----------------------------------------------------------------------------
async def list_events(call: Call, request: t.ListEventsRequest) -> t.EventFeed:
    page, resume = await events.list_events(
        call.session,
        call.principal,
        limit=request.Limit,
        cursor=request.Cursor,
        type_pattern=request.Type,
        company_id=uuid.UUID(request.CompanyId) if request.CompanyId else None,
    )
    return t.EventFeed(
        Items=[_event(event_schemas.EventOut.model_validate(e)) for e in page.items],
        NextCursor=resume,
        HasMore=page.next_cursor is not None,
    )


# --- REST models into SOAP ones ------------------------------------------------------------------
def _invoice(out: schemas.InvoiceOut) -> t.Invoice:
    return t.Invoice(
        Id=str(out.id),
        CompanyId=str(out.company_id),
        State=out.state.value,
        Format=out.format,
        TipoDocumento=out.tipo_documento,
        Numero=out.numero,
        Data=out.data,
        CustomerId=out.customer_id,
        CustomerName=out.customer_name,
        Total=out.total,
        FileName=out.file_name,
        IdentificativoSdi=out.identificativo_sdi,
        SdiReceivedAt=out.sdi_received_at,
        QueuedAt=out.queued_at,
        CreatedAt=out.created_at,
        Errors=[_error(e) for e in out.errors],
    )


def _notification(notification: Any) -> t.Notification:
    out = schemas.NotificationOut.model_validate(notification)
    return t.Notification(
        Id=str(out.id),
        Type=out.type,
        FileName=out.file_name,
        IdentificativoSdi=out.identificativo_sdi,
        Summary=_json(out.summary),
        Applied=out.applied,
        CreatedAt=out.created_at,
    )


def _event(out: event_schemas.EventOut) -> t.Event:
    return t.Event(
        Id=str(out.id),
        Type=out.type,
        Timestamp=out.timestamp,
        CompanyId=str(out.company_id) if out.company_id else None,
        SubjectType=out.subject_type,
        SubjectId=str(out.subject_id),
        Data=_json(out.data),
    )


def _error(error: dict[str, Any]) -> t.Error:
    return t.Error(
        Code=error.get("code"), Path=error.get("path") or None, Message=str(error.get("message", ""))
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
