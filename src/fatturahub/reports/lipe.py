"""LIPE of a company: settings, adjustments, the figures of a period and what makes each of them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.db.base import utcnow
from fatturahub.errors import InvalidInput, NotFound
from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.lipe import (
    Adjustments,
    AdvanceMethod,
    Direction,
    ExceptionalEvents,
    Settlement,
    VatLine,
    settle_periods,
)
from fatturahub.fiscal.lipe.rules import Effect, classify
from fatturahub.fiscal.periods import Period, Periodicity
from fatturahub.reports import ledger, repository
from fatturahub.reports.models import LipeSetting, VatEntry
from fatturahub.storage import LocalStorage

# Documents older than this cannot count in a period: deferred VAT is chargeable within a year,
# and a purchase may be recorded (and deducted) at the latest with the return of the year after.
LOOKBACK_YEARS = 2
DOCUMENT_FIGURES = ("VP2", "VP3", "VP4", "VP5")  # the others are made of figures and adjustments
_PERIOD = re.compile(r"Q([1-4])|(0[1-9]|1[0-2])")
AMOUNT_FIELDS = (
    "previous_debit",
    "previous_period_credit",
    "previous_year_credit",
    "eu_car_payments",
    "tax_credits",
    "advance",
)


def parse_period(year: int, text: str) -> Period:
    match = _PERIOD.fullmatch(text)
    if not match:
        raise InvalidInput("invalid period", errors=[{"path": "period", "message": "Q1..Q4 or 01..12"}])
    return Period(year, quarter=int(match[1])) if match[1] else Period(year, month=int(match[2]))


def period_label(period: Period) -> str:
    return f"Q{period.quarter}" if period.quarter else f"{period.month:02d}"


def periods_until(period: Period) -> list[Period]:
    """The periods of the year up to `period`: each carries its credit into the next."""
    if period.quarter:
        return [Period(period.year, quarter=q) for q in range(1, period.quarter + 1)]
    return [Period(period.year, month=m) for m in range(1, (period.month or 0) + 1)]


@dataclass(frozen=True)
class Computed:
    settlements: list[Settlement]  # the periods of the year up to the one asked for

    @property
    def settlement(self) -> Settlement:
        return self.settlements[-1]


async def compute(
    session: AsyncSession, company_id: uuid.UUID, period: Period, storage: LocalStorage
) -> Computed:
    """Every VP figure of `period` (and of the periods before it in the year, whose credits it
    carries), after bringing the ledger up to date."""
    setting = await repository.setting(session, company_id, period.year)
    _check_periodicity(setting, period)
    await ledger.refresh(session, company_id, storage)
    since = date(period.year - LOOKBACK_YEARS, 1, 1)
    lines = await repository.aggregated_lines(session, company_id, since, period.last_day)
    return Computed(await settle_lines(session, company_id, period, lines, setting))


async def settle_lines(
    session: AsyncSession,
    company_id: uuid.UUID,
    period: Period,
    lines: list[VatLine],
    setting: LipeSetting | None,
) -> list[Settlement]:
    stored = {
        row.period: adjustments_from(row.amounts)
        for row in await repository.adjustments(session, company_id, period.year)
    }
    by_period = {p: stored[period_label(p)] for p in periods_until(period) if period_label(p) in stored}
    by_law = bool(setting and setting.quarterly_by_law)
    return settle_periods(periods_until(period), lines, by_period, quarterly_interest=not by_law)


def _check_periodicity(setting: LipeSetting | None, period: Period) -> None:
    if setting is not None and Periodicity(setting.periodicity) is not period.periodicity:
        raise InvalidInput(
            f"the company settles VAT {setting.periodicity} in {period.year}",
            errors=[
                {"path": "period", "message": f"{period.periodicity} period of a {setting.periodicity} filer"}
            ],
        )


def adjustments_from(amounts: dict[str, Any]) -> Adjustments:
    method, events = amounts.get("advance_method"), amounts.get("exceptional_events")
    return Adjustments(
        **{name: Decimal(amounts[name]) for name in AMOUNT_FIELDS if amounts.get(name) is not None},
        advance_method=AdvanceMethod(method) if method else None,
        exceptional_events=ExceptionalEvents(events) if events else None,
        subcontracting=bool(amounts.get("subcontracting")),
        extraordinary_operations=bool(amounts.get("extraordinary_operations")),
    )


async def save_adjustments(
    session: AsyncSession, company_id: uuid.UUID, period: Period, amounts: dict[str, Any], reason: str
) -> None:
    await repository.save_adjustment(
        session, company_id, period.year, period_label(period), amounts, reason, utcnow()
    )


@dataclass(frozen=True)
class Contribution:
    entry: VatEntry
    effect: Effect


async def figure_documents(
    session: AsyncSession,
    company_id: uuid.UUID,
    period: Period,
    code: str,
    *,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Contribution], tuple[date, uuid.UUID] | None]:
    """The ledger lines counting in figure `code` of `period`, each with its amount and rule, in
    document-date order; and where the next page starts (None at the end)."""
    if code not in DOCUMENT_FIGURES:
        raise NotFound(f"{code} is not made of documents: its parts are in the period's figures")
    found: list[Contribution] = []
    while True:
        batch = await repository.entries_page(
            session, company_id, code=code, since=date(period.year - LOOKBACK_YEARS, 1, 1),
            first=period.first_day, last=period.last_day, after=after, limit=limit,
        )  # fmt: skip
        for entry in batch:
            after = (entry.document_date, entry.id)
            found += [Contribution(entry, e) for e in _effects(entry, code, period)]
            if len(found) >= limit:
                return found, after
        if len(batch) < limit:
            return found, None


def _effects(entry: VatEntry, code: str, period: Period) -> list[Effect]:
    return [
        outcome
        for outcome in classify(vat_line(entry))
        if isinstance(outcome, Effect) and outcome.figure == code and period.contains(outcome.counts_on)
    ]


def vat_line(entry: VatEntry) -> VatLine:
    return VatLine(
        Direction(entry.direction),
        entry.tipo_documento,
        entry.taxable,
        entry.vat,
        entry.document_date,
        natura=entry.natura,
        esigibilita=Esigibilita(entry.esigibilita),
        recorded_on=entry.recorded_on,
        settled_on=entry.settled_on,
        deductible_vat=entry.deductible_vat,
        source=f"{entry.tipo_documento} {entry.numero} of {entry.document_date} ({entry.counterparty})",
    )
