"""Request and response bodies of the invoices API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fatturahub.invoices.states import InvoiceState


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    state: InvoiceState
    format: str
    tipo_documento: str
    numero: str
    data: date
    customer_id: str
    customer_name: str
    total: Decimal | None
    file_name: str | None
    identificativo_sdi: str | None
    sdi_received_at: datetime | None
    queued_at: datetime | None
    created_at: datetime
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="SDI's errors (NS) or the upload's"
    )


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    type: str = Field(description="RC, NS, MC, NE, DT or AT")
    file_name: str
    identificativo_sdi: str
    summary: dict[str, Any]
    applied: bool = Field(description="whether it moved the invoice's state")
    created_at: datetime


class InvoiceDetail(InvoiceOut):
    notifications: list[NotificationOut]


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    next_cursor: str | None


class ValidationReport(BaseModel):
    valid: bool
    errors: list[dict[str, str]]
