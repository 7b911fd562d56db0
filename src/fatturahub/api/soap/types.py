"""The SOAP contract's messages: Spyne models in one explicit namespace, named for the WSDL.

Fields mirror the REST bodies (invoices/schemas.py, webhooks/schemas.py) in the PascalCase ERPs
expect from SOAP. Every complex type sets its name and the namespace, so the WSDL does not depend
on Python class names or Spyne's defaults (`server.wsdl_document` also fixes the schema's order).
"""

from __future__ import annotations

from typing import Any

from spyne import Array, Boolean, ByteArray, ComplexModel, Date, DateTime, Decimal, Fault, Integer, Unicode

from fatturahub.invoices.states import InvoiceState
from fatturahub.webhooks.filters import TYPE_PATTERN

NAMESPACE = "urn:fatturahub:soap:v1"
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
MAX_LIMIT = 200


def required(kind: Any) -> Any:
    return kind.customize(min_occurs=1, nillable=False)


def optional(kind: Any) -> Any:
    return kind.customize(min_occurs=0, nillable=False)


# Spyne names each restricted field's simple type after it ("ListInvoicesRequest_LimitType").
Uuid = Unicode.customize(pattern=UUID_PATTERN)
Cursor = Unicode.customize(max_len=200)
State = Unicode.customize(values=[state.value for state in InvoiceState])
# the same patterns as webhooks ("invoice.*"); XSD patterns are anchored already
EventTypePattern = Unicode.customize(max_len=100, pattern=TYPE_PATTERN.strip("^$"))
Numero = Unicode.customize(max_len=20)
Limit = Integer.customize(ge=1, le=MAX_LIMIT)


class Model(ComplexModel):
    __namespace__ = NAMESPACE


# --- shared parts -----------------------------------------------------------------------------
class Error(Model):
    """One problem: SDI's code when it has one (00200, 00400, …), where, and what."""

    __type_name__ = "Error"
    Code = optional(Unicode)
    Path = optional(Unicode)
    Message = required(Unicode)


ErrorList = Array(Error, type_name="ErrorList")


class Invoice(Model):
    __type_name__ = "Invoice"
    Id = required(Uuid)
    CompanyId = required(Uuid)
    State = required(Unicode)
    Format = required(Unicode)
    TipoDocumento = required(Unicode)
    Numero = required(Unicode)
    Data = required(Date)
    CustomerId = required(Unicode)
    CustomerName = required(Unicode)
    Total = optional(Decimal)
    FileName = optional(Unicode)
    IdentificativoSdi = optional(Unicode)
    SdiReceivedAt = optional(DateTime)
    QueuedAt = optional(DateTime)
    CreatedAt = required(DateTime)
    Errors = ErrorList.customize(min_occurs=0, nillable=False)


class Notification(Model):
    __type_name__ = "Notification"
    Id = required(Uuid)
    Type = required(Unicode)  # RC, NS, MC, NE, DT or AT
    FileName = required(Unicode)
    IdentificativoSdi = required(Unicode)
    Summary = required(Unicode)  # what it says, as JSON (errors, outcome, dates)
    Applied = required(Boolean)
    CreatedAt = required(DateTime)


NotificationList = Array(Notification, type_name="NotificationList")


class Event(Model):
    __type_name__ = "Event"
    Id = required(Uuid)
    Type = required(Unicode)
    Timestamp = required(DateTime)
    CompanyId = optional(Uuid)
    SubjectType = required(Unicode)
    SubjectId = required(Uuid)
    Data = required(Unicode)  # the event's data, as JSON


# --- requests and responses -------------------------------------------------------------------
class SendInvoiceRequest(Model):
    __type_name__ = "SendInvoiceRequest"
    CompanyId = required(Uuid)
    File = required(ByteArray)  # FatturaPA XML or .p7m (base64 in the envelope)
    Send = Boolean.customize(min_occurs=0, nillable=False, default=True)  # false keeps a draft
    IdempotencyKey = optional(Unicode.customize(min_len=1, max_len=200))


class InvoiceResponse(Model):
    __type_name__ = "InvoiceResponse"
    Invoice = required(Invoice)


class ValidateInvoiceRequest(Model):
    __type_name__ = "ValidateInvoiceRequest"
    File = required(ByteArray)


class ValidationReport(Model):
    __type_name__ = "ValidationReport"
    Valid = required(Boolean)
    Errors = ErrorList.customize(min_occurs=1, nillable=False)


class GetInvoiceRequest(Model):
    """One of: InvoiceId; FileName; Numero with Data."""

    __type_name__ = "GetInvoiceRequest"
    CompanyId = required(Uuid)
    InvoiceId = optional(Uuid)
    FileName = optional(Unicode.customize(max_len=60))
    Numero = optional(Numero)
    Data = optional(Date)


class InvoiceDetail(Model):
    __type_name__ = "InvoiceDetail"
    Invoice = required(Invoice)
    Notifications = NotificationList.customize(min_occurs=1, nillable=False)


class ListInvoicesRequest(Model):
    __type_name__ = "ListInvoicesRequest"
    CompanyId = required(Uuid)
    State = optional(State)
    DateFrom = optional(Date)
    DateTo = optional(Date)
    Numero = optional(Numero)
    Customer = optional(Unicode.customize(max_len=80))  # customer id or part of the name
    IdentificativoSdi = optional(Unicode.customize(max_len=36))
    Limit = Limit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)


class InvoicePage(Model):
    __type_name__ = "InvoicePage"
    Items = Array(Invoice, type_name="InvoiceList").customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)


class InvoiceRef(Model):
    __type_name__ = "InvoiceRef"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)


class NotificationsResponse(Model):
    __type_name__ = "NotificationsResponse"
    Notifications = NotificationList.customize(min_occurs=1, nillable=False)


class NotificationRef(Model):
    __type_name__ = "NotificationRef"
    CompanyId = required(Uuid)
    InvoiceId = required(Uuid)
    NotificationId = required(Uuid)


class FileResponse(Model):
    __type_name__ = "FileResponse"
    FileName = required(Unicode)
    Content = required(ByteArray)  # exactly as SDI sent it


class ListEventsRequest(Model):
    __type_name__ = "ListEventsRequest"
    Type = optional(EventTypePattern)
    CompanyId = optional(Uuid)
    Limit = Limit.customize(min_occurs=0, nillable=False, default=50)
    Cursor = optional(Cursor)


class EventFeed(Model):
    __type_name__ = "EventFeed"
    Items = Array(Event, type_name="EventList").customize(min_occurs=1, nillable=False)
    NextCursor = optional(Unicode)  # resume here (set after every non-empty page)
    HasMore = required(Boolean)


# --- faults -----------------------------------------------------------------------------------
class ServiceFault(Fault):
    """Declares the fault's <detail> for the WSDL; faults.py writes it (Spyne would put a Fault
    subclass's fields beside faultcode, outside <detail>, which SOAP 1.1 does not allow)."""

    __namespace__ = NAMESPACE
    __type_name__ = "ServiceFault"
    Type = required(Unicode)  # the REST problem type: invalid-input, not-found, …
    Errors = ErrorList.customize(min_occurs=1, nillable=False)
