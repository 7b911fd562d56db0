"""Request and response bodies of the reports endpoints."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from fatturahub.fiscal.lipe import AdvanceMethod, ExceptionalEvents

Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="why: kept in the audit log")]


class LipeSettingIn(BaseModel):
    periodicity: Literal["monthly", "quarterly"]
    quarterly_by_law: bool = Field(False, description="quarterly by law (art. 74 c. 4): no 1 % interest")
    declarant_tax_code: str | None = Field(None, pattern=r"^[A-Z0-9]{11,16}$", description="CFDichiarante")
    declarant_role: str | None = Field(
        None, pattern=r"^([1-9]|1[1-5])$", description="CodiceCaricaDichiarante"
    )


class LipeSettingOut(LipeSettingIn):
    year: int


class AdjustmentsIn(BaseModel):
    previous_debit: Amount | None = Field(None, description="VP7, first period of the year only")
    previous_period_credit: Amount | None = Field(None, description="VP8, first period only (later: carried)")
    previous_year_credit: Amount | None = Field(None, description="VP9")
    eu_car_payments: Amount | None = Field(None, description="VP10")
    tax_credits: Amount | None = Field(None, description="VP11")
    advance: Amount | None = Field(None, description="VP13, December or Q4")
    advance_method: AdvanceMethod | None = None
    exceptional_events: ExceptionalEvents | None = None
    subcontracting: bool = False
    extraordinary_operations: bool = False
    reason: Reason


class DocumentVatIn(BaseModel):
    recorded_on: date | None = Field(None, description="received: date of entry in the purchase register")
    deductible_percent: Percent | None = None
    settled_on: date | None = Field(None, description="deferred VAT: the day it was paid (or collected)")
    reason: Reason


class CollectedIn(BaseModel):
    collected_on: date | None = Field(description="deferred VAT: the day the invoice was collected")
    reason: Reason


class SupplierDeductibilityIn(BaseModel):
    percent: Percent
    reason: Reason


class VatEntryOut(BaseModel):
    source_type: str
    source_id: uuid.UUID
    position: int
    line: int
    direction: str
    numero: str
    counterparty: str
    tipo_documento: str
    natura: str | None
    aliquota: Decimal
    esigibilita: str
    document_date: date
    recorded_on: date | None
    settled_on: date | None
    taxable: Decimal
    vat: Decimal
    deductible_percent: Decimal
    deductible_vat: Decimal


class PartOut(BaseModel):
    source: str
    amount: Decimal
    rule: str


class FigureOut(BaseModel):
    code: str
    column: Literal["debit", "credit"] | None = None
    amount: Decimal
    rule: str
    parts: list[PartOut]


class ExclusionOut(BaseModel):
    figure: str
    source: str
    reason: str


class IssueOut(BaseModel):
    code: str
    path: str
    message: str


class SettlementOut(BaseModel):
    year: int
    period: str
    periodicity: str
    figures: list[FigureOut]
    excluded: list[ExclusionOut]
    issues: list[IssueOut]
    adjustments: dict[str, str | bool | None]


class ContributionOut(BaseModel):
    entry: VatEntryOut
    amount: Decimal
    rule: str


class ContributionPage(BaseModel):
    code: str
    items: list[ContributionOut]
    next_cursor: str | None


class SubmissionIn(BaseModel):
    quarter: int = Field(ge=1, le=4, description="the quarter the communication is for")
    substitutes: uuid.UUID | None = Field(None, description="a corrective communication replacing this one")
    intermediary_tax_code: str | None = Field(None, pattern=r"^[A-Z0-9]{11,16}$")


class DatiFatturaSubmissionIn(BaseModel):
    kind: Literal["DTE", "DTR"] = Field(description="DTE: invoices issued; DTR: invoices received")


class SubmissionOut(BaseModel):
    id: uuid.UUID
    kind: str
    year: int
    state: str
    file_name: str
    substitutes_id: uuid.UUID | None
    id_file: str | None
    sent_at: datetime | None
    outcome_file_name: str | None
    errors: list[dict[str, str]]
    created_at: datetime
    document_kind: str | None = Field(None, description="Dati Fattura: DTE, DTR or ANN")
    period: str | None = Field(None, description="Dati Fattura: H1, H2, Q1..Q4")
    cancels_id: uuid.UUID | None = Field(None, description="an ANN: the submission it cancels")
    corrects_id: uuid.UUID | None = Field(None, description="a Rettifica: the submission it corrects")
    position: int | None = Field(None, description="Posizione cancelled or corrected; none: the whole file")
    cancelled_by_id: uuid.UUID | None = Field(None, description="the accepted ANN of this whole file")


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    next_cursor: str | None


Positions = Annotated[list[Annotated[int, Field(ge=1, le=1000)]], Field(min_length=1, max_length=1000)]
OptionalReason = Annotated[
    str | None, Field(None, min_length=1, max_length=500, description="why: kept in the audit log")
]


class CancellationIn(BaseModel):
    positions: Positions | None = Field(
        None, description="Posizione of the documents to cancel, an ANN each; none: the whole file"
    )
    reason: OptionalReason = None


class CorrectionIn(BaseModel):
    positions: Positions = Field(description="Posizione of the documents to correct, a Rettifica each")
    reason: OptionalReason = None
