"""Tables of the reports context: the VAT ledger derived from stored documents, LIPE settings and
adjustments, and the data files (LI / DF) submitted to SDI."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin


class VatEntry(IdMixin, Base):
    """One DatiRiepilogo line of a document that counts for VAT (see reports.ledger for which)."""

    __tablename__ = "vat_entry"
    __table_args__ = (
        # what the ledger's anti-join looks up, and what makes concurrent refreshes harmless
        UniqueConstraint("source_type", "source_id", "position", "line", name="uq_vat_entry_source_line"),
        # the period aggregation: one company, a window of document dates
        Index("ix_vat_entry_period", "company_id", "document_date"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"))
    direction: Mapped[str] = mapped_column(String(8))  # fiscal.lipe.Direction
    source_type: Mapped[str] = mapped_column(String(16))  # "invoice" | "received_invoice"
    source_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)  # body of the file, 1..n
    line: Mapped[int] = mapped_column(Integer)  # DatiRiepilogo of the body, 1..n
    numero: Mapped[str] = mapped_column(String(20))
    counterparty: Mapped[str] = mapped_column(String(200))
    tipo_documento: Mapped[str] = mapped_column(String(4))
    natura: Mapped[str | None] = mapped_column(String(5))
    aliquota: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    esigibilita: Mapped[str] = mapped_column(String(1))
    document_date: Mapped[date] = mapped_column(Date)
    recorded_on: Mapped[date | None] = mapped_column(Date)  # received: entry in the purchase register
    settled_on: Mapped[date | None] = mapped_column(Date)  # deferred VAT: collected or paid
    taxable: Mapped[Decimal] = mapped_column(Numeric(15, 2))
    vat: Mapped[Decimal] = mapped_column(Numeric(15, 2))
    deductible_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(100))
    deductible_vat: Mapped[Decimal] = mapped_column(Numeric(15, 2))  # vat at the percentage, to the cent


class LipeSetting(Base):
    """How a company settles VAT in a year."""

    __tablename__ = "lipe_setting"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    periodicity: Mapped[str] = mapped_column(String(10))  # fiscal.periods.Periodicity
    quarterly_by_law: Mapped[bool] = mapped_column(Boolean, default=False)  # art. 74 c. 4: no interest
    declarant_tax_code: Mapped[str | None] = mapped_column(String(16))  # CFDichiarante: who signs for it
    declarant_role: Mapped[str | None] = mapped_column(String(2))  # CodiceCaricaDichiarante


class LipeAdjustment(Base):
    """What the documents do not say about one period (fiscal.lipe.Adjustments), as last set."""

    __tablename__ = "lipe_adjustment"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(2), primary_key=True)  # "Q1".."Q4" | "01".."12"
    amounts: Mapped[dict[str, Any]]  # Adjustments fields, amounts as strings
    reason: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime]


class SupplierDeductibility(Base):
    """The deductible percentage of a supplier's invoices, unless set on the invoice itself."""

    __tablename__ = "supplier_deductibility"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), primary_key=True)
    supplier: Mapped[str] = mapped_column(String(30), primary_key=True)  # IT01234567890
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class DataSubmission(IdMixin, Base):
    """A communication file (LIPE, Dati Fattura) sent to SDI's data service, and its outcome."""

    __tablename__ = "data_submission"
    __table_args__ = (
        Index("ix_data_submission_company", "company_id", "kind", "year", "created_at"),
        Index("ix_data_submission_id_file", "company_id", "id_file"),
        Index("ix_data_submission_cancels", "cancels_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"))
    kind: Mapped[str] = mapped_column(String(2))  # fiscal.naming.FileType: LI | DF
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(24), index=True)  # reports.submissions.SubmissionState
    file_name: Mapped[str] = mapped_column(String(50), unique=True)
    file_key: Mapped[str] = mapped_column(String(64))
    substitutes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("data_submission.id"))
    id_file: Mapped[str | None] = mapped_column(String(40))  # SDI's IdFile once it took the file
    sent_at: Mapped[datetime | None]
    outcome_file_name: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[bytes | None] = mapped_column(LargeBinary)  # the EsitoFile, verbatim
    errors: Mapped[dict[str, Any]]  # {"items": [{"code", "message"}]}
    # Dati Fattura only: what the file holds and what it refers to (reports.corrections)
    document_kind: Mapped[str | None] = mapped_column(String(3))  # DTE | DTR | ANN
    period: Mapped[str | None] = mapped_column(String(2))  # H1, H2, Q1..Q4
    cancels_id: Mapped[uuid.UUID | None]  # an ANN: the submission whose file (or position) it cancels
    corrects_id: Mapped[uuid.UUID | None]  # a Rettifica: the submission whose document it corrects
    position: Mapped[int | None] = mapped_column(Integer)  # the Posizione cancelled or corrected
    cancelled_by_id: Mapped[uuid.UUID | None]  # the accepted ANN of this whole file
