"""Tables of the passive cycle: the files SDI delivered, one row per invoice body, the outcomes.

A received file belongs to a company once routed; until then it sits in a quarantine: its
account's (company_id NULL) or, when no account claims it, the operator's (account_id NULL too).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin


class ReceivedFile(IdMixin, Base):
    """One RiceviFatture delivery: the file and its metadata file, stored verbatim (created_at is
    our receipt timestamp, which starts the 15-day outcome term)."""

    __tablename__ = "received_file"

    identificativo_sdi: Mapped[str | None] = mapped_column(String(12), unique=True)  # None: imported
    source: Mapped[str] = mapped_column(String(6), default="sdi", server_default="sdi")  # sdi | import
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"), index=True)
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("company.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(60))
    file_key: Mapped[str] = mapped_column(String(64))  # storage key of the file as delivered
    size: Mapped[int] = mapped_column(BigInteger)
    metadata_file_name: Mapped[str] = mapped_column(String(60))
    metadata_key: Mapped[str] = mapped_column(String(64))
    codice_destinatario: Mapped[str | None] = mapped_column(String(7), index=True)
    sdi_metadata: Mapped[dict[str, Any]]  # what MetadatiInvioFile / FileMetadati says
    format: Mapped[str | None] = mapped_column(String(5))
    readable: Mapped[bool] = mapped_column(Boolean)
    problem: Mapped[str | None] = mapped_column(String(500))  # why it could not be read
    warnings: Mapped[dict[str, Any]]  # {"items": [{code, path, message}], "repairs": [...]}
    envelopes: Mapped[dict[str, Any]]  # {"items": ["base64", "cades"]}
    signature_status: Mapped[str] = mapped_column(String(12), index=True)
    signature: Mapped[dict[str, Any] | None]  # the verification report
    routing: Mapped[dict[str, Any]]  # how it was routed (or why not): {"rule", "detail", ...}
    expired_at: Mapped[datetime | None]  # NotificaDecorrenzaTermini received
    expiry_file_name: Mapped[str | None] = mapped_column(String(60))
    expiry_key: Mapped[str | None] = mapped_column(String(64))


class ReceivedInvoice(IdMixin, Base):
    """One body of a received file (position 1..n); a file we cannot read gets one row with
    readable=false, so it stays visible and downloadable."""

    __tablename__ = "received_invoice"

    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("received_file.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("account.id"), index=True)
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("company.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    readable: Mapped[bool] = mapped_column(Boolean)
    format: Mapped[str | None] = mapped_column(String(5))
    tipo_documento: Mapped[str | None] = mapped_column(String(4), index=True)
    numero: Mapped[str | None] = mapped_column(String(20), index=True)
    data: Mapped[date | None] = mapped_column(Date, index=True)
    divisa: Mapped[str | None] = mapped_column(String(3))
    total: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    supplier_partita_iva: Mapped[str | None] = mapped_column(String(30), index=True)  # IT01234567890
    supplier_codice_fiscale: Mapped[str | None] = mapped_column(String(16), index=True)
    supplier_name: Mapped[str | None] = mapped_column(String(200))
    payment_terms: Mapped[dict[str, Any]]  # {"items": [instalment, ...]}
    duplicate_key: Mapped[str | None] = mapped_column(String(120), index=True)
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("received_invoice.id"))
    self_invoice_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoice.id"))
    read_at: Mapped[datetime | None]
    downloaded_at: Mapped[datetime | None]


class ReceivedOutcome(IdMixin, Base):
    """A NotificaEsitoCommittente we sent (or tried to) about one received invoice."""

    __tablename__ = "received_outcome"
    __table_args__ = (  # one EC being sent at a time per invoice, even for concurrent requests
        Index(
            "uq_received_outcome_one_queued",
            "received_invoice_id",
            unique=True,
            postgresql_where=text("state = 'queued'"),
            sqlite_where=text("state = 'queued'"),
        ),
    )

    received_invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("received_invoice.id"), index=True)
    esito: Mapped[str] = mapped_column(String(4))  # EC01 | EC02
    descrizione: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(60), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # the EC file, as sent
    answer: Mapped[str | None] = mapped_column(String(4))  # ES00 | ES01 | ES02
    scarto_file_name: Mapped[str | None] = mapped_column(String(60))
    scarto: Mapped[bytes | None] = mapped_column(LargeBinary)  # ScartoEsitoCommittente, verbatim
    error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
