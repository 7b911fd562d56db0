"""Tables of the active cycle: invoices, the notifications SDI sent about them, counters."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin
from fatturahub.invoices.states import InvoiceState


class Invoice(IdMixin, Base):
    """One file we send (a single invoice, or a lotto of several bodies)."""

    __tablename__ = "invoice"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), index=True)
    state: Mapped[InvoiceState] = mapped_column(String(20), index=True)
    format: Mapped[str] = mapped_column(String(5))
    tipo_documento: Mapped[str] = mapped_column(String(4))
    numero: Mapped[str] = mapped_column(String(20), index=True)
    data: Mapped[date] = mapped_column(Date, index=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)  # IT01234567890 or CF
    customer_name: Mapped[str] = mapped_column(String(200))
    total: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    document: Mapped[bytes] = mapped_column(LargeBinary)  # the XML as validated (drafts included)
    origin: Mapped[str] = mapped_column(String(4))  # "json" (we wrote the XML), "xml", "p7m"
    original: Mapped[bytes | None] = mapped_column(LargeBinary)  # a signed .p7m as it came
    file_name: Mapped[str | None] = mapped_column(String(50), unique=True)
    file_key: Mapped[str | None] = mapped_column(String(64))  # storage key of the file sent
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    identificativo_sdi: Mapped[str | None] = mapped_column(String(36), index=True)
    sdi_received_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]
    errors: Mapped[dict[str, Any] | None]  # {"items": [{code, path, message}]} from NS or upload


class InvoiceKey(Base):
    """The duplicate-check keys (SDI 00404) of every body of an invoice."""

    __tablename__ = "invoice_key"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoice.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), index=True)


class Notification(IdMixin, Base):
    """A notification file from SDI, kept verbatim, matched to its invoice when possible."""

    __tablename__ = "notification"

    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    type: Mapped[str] = mapped_column(String(2))
    file_name: Mapped[str] = mapped_column(String(60), unique=True)
    identificativo_sdi: Mapped[str] = mapped_column(String(36), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    summary: Mapped[dict[str, Any]]  # what it says: errors, outcome, dates
    applied: Mapped[bool] = mapped_column(Boolean, default=False)  # did it move the state


class Counter(Base):
    """Named counters, taken with one upsert ... RETURNING: invoice numbers, file progressives."""

    __tablename__ = "counter"

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)  # "numero:<company>:<year>:<sez>"
    value: Mapped[int] = mapped_column(BigInteger)
