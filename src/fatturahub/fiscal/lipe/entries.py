"""What the LIPE computation reads: documents of both cycles, or rows already aggregated.

Everything is reduced to `VatLine`s: one DatiRiepilogo line of a document, or the sum of many
lines sharing the same keys (what a database GROUP BY returns). The rules only look at the keys
and at the month each date falls in, so `aggregate` — sums of taxable, VAT and deductible VAT by
direction, TipoDocumento, Natura, EsigibilitaIVA and the month of each date — gives the same
figures as the lines it sums. A database computing the same GROUP BY (deductible VAT rounded per
document line, as `ReceivedDocument` does) can hand its rows to `settle` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.money import HUNDRED, percent_of


class Direction(StrEnum):
    ISSUED = "issued"  # sales register
    RECEIVED = "received"  # purchase register, incl. the company's own integrations TD16–TD19


@dataclass(frozen=True)
class VatLine:
    """Amounts of one summary line (or of an aggregate of lines with these keys), signed as
    written on the document: a credit note carries positive amounts and its TD04 type."""

    direction: Direction
    document_type: str
    taxable: Decimal
    vat: Decimal
    document_date: date
    natura: str | None = None
    esigibilita: Esigibilita = Esigibilita.IMMEDIATE
    recorded_on: date | None = None  # received: date of entry in the purchase register
    settled_on: date | None = None  # deferred VAT: collected (issued) or paid (received)
    deductible_vat: Decimal | None = None  # received: None = all of `vat`
    source: str = ""  # what the explanation names: "FT 12/2026 CLIENTE SPA", "1,204 lines of 2026-01"
    count: int = 1

    @property
    def deductible(self) -> Decimal:
        return self.vat if self.deductible_vat is None else self.deductible_vat


@dataclass(frozen=True)
class SummaryLine:
    """One DatiRiepilogo of a document."""

    taxable: Decimal
    vat: Decimal
    rate: Decimal
    natura: str | None = None
    esigibilita: Esigibilita = Esigibilita.IMMEDIATE


@dataclass(frozen=True)
class IssuedDocument:
    number: str
    date: date
    document_type: str
    counterparty: str
    lines: tuple[SummaryLine, ...]
    collected_on: date | None = None  # when a deferred-VAT invoice was collected

    def vat_lines(self) -> list[VatLine]:
        source = f"{self.document_type} {self.number} of {self.date} to {self.counterparty}"
        return [
            VatLine(
                Direction.ISSUED,
                self.document_type,
                line.taxable,
                line.vat,
                self.date,
                natura=line.natura,
                esigibilita=line.esigibilita,
                settled_on=self.collected_on,
                source=f"{source} ({line.rate}%{' ' + line.natura if line.natura else ''})",
            )
            for line in self.lines
        ]


@dataclass(frozen=True)
class ReceivedDocument:
    """A purchase invoice, or an integration / self-invoice TD16–TD19 recording a purchase in
    reverse charge (whichever cycle carried it: it is entered in both registers)."""

    number: str
    date: date
    document_type: str
    counterparty: str
    recorded_on: date
    lines: tuple[SummaryLine, ...]
    deductible_percent: Decimal = HUNDRED  # art. 19 ff. DPR 633/72 (e.g. 40 % for cars, art. 19-bis.1)
    paid_on: date | None = None  # when a deferred-VAT purchase was paid

    def vat_lines(self) -> list[VatLine]:
        source = f"{self.document_type} {self.number} of {self.date} from {self.counterparty}"
        if self.deductible_percent != HUNDRED:
            source += f", {self.deductible_percent}% deductible"
        return [
            VatLine(
                Direction.RECEIVED,
                self.document_type,
                line.taxable,
                line.vat,
                self.date,
                natura=line.natura,
                esigibilita=line.esigibilita,
                recorded_on=self.recorded_on,
                settled_on=self.paid_on,
                deductible_vat=percent_of(line.vat, self.deductible_percent),
                source=f"{source} ({line.rate}%{' ' + line.natura if line.natura else ''})",
            )
            for line in self.lines
        ]


def vat_lines(documents: list[IssuedDocument | ReceivedDocument]) -> list[VatLine]:
    return [line for document in documents for line in document.vat_lines()]


def aggregate(lines: Iterable[VatLine]) -> list[VatLine]:
    """One line per group of keys, dates on the first of their month: the reference for the
    database-side aggregation."""
    groups: dict[tuple[object, ...], list[VatLine]] = {}
    for line in lines:
        key = (line.direction, line.document_type, line.natura, line.esigibilita,
               *(_month(day) for day in (line.document_date, line.recorded_on, line.settled_on)))  # fmt: skip
        groups.setdefault(key, []).append(line)
    return [_summed(members) for members in groups.values()]


def _summed(members: list[VatLine]) -> VatLine:
    first, count = members[0], sum(m.count for m in members)
    return replace(
        first,
        taxable=sum((m.taxable for m in members), Decimal(0)),
        vat=sum((m.vat for m in members), Decimal(0)),
        deductible_vat=sum((m.deductible for m in members), Decimal(0)),
        document_date=_month(first.document_date),
        recorded_on=_month(first.recorded_on),
        settled_on=_month(first.settled_on),
        source=f"{count:,} {first.direction} {first.document_type} line(s) of {first.document_date:%Y-%m}",
        count=count,
    )


def _month(day: date | None) -> date | None:
    return day and day.replace(day=1)
