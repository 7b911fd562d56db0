"""Request and response bodies of the received-invoices API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fatturahub.inbox.states import ReceivedState


class SupplierOut(BaseModel):
    partita_iva: str | None = Field(description="with its country code, e.g. IT01234567890")
    codice_fiscale: str | None
    name: str | None


class ReceivedInvoiceOut(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    file_id: uuid.UUID
    identificativo_sdi: str | None = Field(description="None for imported history (source import)")
    source: str = Field(description="sdi: delivered by SDI; import: imported history")
    file_name: str
    position: int = Field(description="which body of the file (1..n; a lotto has several)")
    state: ReceivedState
    readable: bool = Field(description="false: the file holds no readable invoice; get the original")
    format: str | None
    tipo_documento: str | None
    numero: str | None
    data: date | None
    divisa: str | None
    total: Decimal | None
    supplier: SupplierOut
    signature_status: str = Field(description="valid, invalid, unsigned or unverifiable")
    duplicate_of: uuid.UUID | None = Field(
        description="an earlier invoice with the same supplier, type, number and date"
    )
    self_invoice_of: uuid.UUID | None = Field(description="the invoice we sent, for our own self-invoices")
    received_at: datetime = Field(description="when SDI delivered it to us (starts the PA's 15 days)")
    read_at: datetime | None
    downloaded_at: datetime | None


class OutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    esito: str = Field(description="EC01 accept, EC02 refuse")
    descrizione: str | None
    state: str = Field(description="queued, sent, rejected (ScartoEsitoCommittente) or failed")
    file_name: str
    answer: str | None = Field(description="SDI's answer: ES00, ES01")
    scarto_file_name: str | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class ReceivedInvoiceDetail(ReceivedInvoiceOut):
    document: dict[str, Any] | None = Field(description="FatturaPA JSON: the header and this body")
    sdi_metadata: dict[str, Any]
    metadata_file_name: str
    signature: dict[str, Any] | None
    warnings: list[dict[str, Any]] = Field(description="deviations from the schema (never refused)")
    repairs: list[str]
    envelopes: list[str]
    problem: str | None
    payment_terms: list[dict[str, Any]] = Field(description="every DettaglioPagamento, an instalment each")
    outcome_deadline: datetime | None = Field(description="PA invoices: last moment for an outcome")
    expired_at: datetime | None
    outcomes: list[OutcomeOut]


class ReceivedInvoicePage(BaseModel):
    items: list[ReceivedInvoiceOut]
    next_cursor: str | None


class AttachmentOut(BaseModel):
    number: int = Field(description="1..n within this invoice, for …/attachments/{number}")
    name: str
    format: str | None
    description: str | None
    size: int


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    esito: Literal["EC01", "EC02"]
    descrizione: str | None = Field(default=None, max_length=255, description="required for EC02")


class QuarantinedFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID | None
    identificativo_sdi: str
    file_name: str
    codice_destinatario: str | None
    format: str | None
    readable: bool
    problem: str | None
    signature_status: str
    routing: dict[str, Any]
    created_at: datetime


class QuarantinePage(BaseModel):
    items: list[QuarantinedFileOut]
    next_cursor: str | None


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: uuid.UUID
