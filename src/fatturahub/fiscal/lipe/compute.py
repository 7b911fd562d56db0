"""The VP figures of a settlement period, each with the lines and rules that make it up.

Arithmetic of VP6, VP14 and the consistency checks: Specifiche tecniche §4.2.2.1 (Modulo).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from fatturahub.fatturapa.issues import Issue
from fatturahub.fiscal.lipe.entries import VatLine
from fatturahub.fiscal.lipe.ivp18 import MODULE_PATH, LipeModule
from fatturahub.fiscal.lipe.rules import Effect, Exclusion, classify
from fatturahub.fiscal.money import ZERO, cents
from fatturahub.fiscal.periods import Period

CARRIED_DEBIT_LIMIT = Decimal("25.82")  # art. 1 c. 4 DPR 100/1998: not paid, added to the next period
QUARTERLY_INTEREST_RATE = Decimal("0.01")  # art. 7 c. 1 lett. b DPR 542/1999


class AdvanceMethod(StrEnum):
    """Metodo of the December advance (IVP18), art. 6 L. 405/1990."""

    HISTORICAL = "1"
    FORECAST = "2"
    ANALYTICAL = "3"
    SPECIAL_SECTORS = "4"  # telecommunications, utilities … (art. 6 c. 2 L. 405/1990)


class ExceptionalEvents(StrEnum):
    """EventiEccezionali: 1 = suspension for a calamity, 9 = other events."""

    CALAMITY = "1"
    OTHER = "9"


@dataclass(frozen=True)
class Adjustments:
    """What the documents do not say: carried amounts, credits, payments, flags of the period."""

    previous_debit: Decimal = ZERO  # VP7
    previous_period_credit: Decimal = ZERO  # VP8
    previous_year_credit: Decimal = ZERO  # VP9
    eu_car_payments: Decimal = ZERO  # VP10
    tax_credits: Decimal = ZERO  # VP11
    advance: Decimal = ZERO  # VP13
    advance_method: AdvanceMethod | None = None
    exceptional_events: ExceptionalEvents | None = None
    subcontracting: bool = False  # Subfornitura, art. 74 c. 5
    extraordinary_operations: bool = False  # OperazioniStraordinarie


@dataclass(frozen=True)
class Part:
    source: str
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class Figure:
    """One VP figure: its amount, the rule that gives it, and the parts that add up to it."""

    code: str
    amount: Decimal
    rule: str
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Settlement:
    """Every VP figure of one period (one Modulo of the communication)."""

    period: Period
    vp2: Figure  # TotaleOperazioniAttive
    vp3: Figure  # TotaleOperazioniPassive
    vp4: Figure  # IvaEsigibile
    vp5: Figure  # IvaDetratta
    vp6_debit: Figure  # IvaDovuta
    vp6_credit: Figure  # IvaCredito
    vp7: Figure  # DebitoPrecedente
    vp8: Figure  # CreditoPeriodoPrecedente
    vp9: Figure  # CreditoAnnoPrecedente
    vp10: Figure  # VersamentiAutoUE
    vp11: Figure  # CreditiImposta
    vp12: Figure  # InteressiDovuti
    vp13: Figure  # Acconto
    vp14_debit: Figure  # ImportoDaVersare
    vp14_credit: Figure  # ImportoACredito
    adjustments: Adjustments
    excluded: tuple[Exclusion, ...] = ()
    issues: tuple[Issue, ...] = ()

    def figures(self) -> tuple[Figure, ...]:
        return (
            self.vp2, self.vp3, self.vp4, self.vp5, self.vp6_debit, self.vp6_credit, self.vp7, self.vp8,
            self.vp9, self.vp10, self.vp11, self.vp12, self.vp13, self.vp14_debit, self.vp14_credit,
        )  # fmt: skip

    @property
    def carried_debit(self) -> Decimal:
        """VP7 of the next period: a debit not paid because it does not exceed 25.82 euro."""
        debit = self.vp14_debit.amount
        return debit if ZERO < debit <= CARRIED_DEBIT_LIMIT else ZERO

    def module(self) -> LipeModule:
        a = self.adjustments
        return LipeModule(
            period=self.period,
            total_active=self.vp2.amount,
            total_passive=self.vp3.amount,
            vat_chargeable=self.vp4.amount,
            vat_deducted=self.vp5.amount,
            vat_due=self.vp6_debit.amount,
            vat_credit=self.vp6_credit.amount,
            previous_debit=self.vp7.amount,
            previous_period_credit=self.vp8.amount,
            previous_year_credit=self.vp9.amount,
            eu_car_payments=self.vp10.amount,
            tax_credits=self.vp11.amount,
            interest_due=self.vp12.amount,
            advance=self.vp13.amount,
            advance_method=a.advance_method.value if a.advance_method else None,
            amount_to_pay=self.vp14_debit.amount,
            amount_in_credit=self.vp14_credit.amount,
            exceptional_events=a.exceptional_events.value if a.exceptional_events else None,
            subcontracting=a.subcontracting,
            extraordinary_operations=a.extraordinary_operations,
        )


def settle(
    period: Period,
    lines: Iterable[VatLine],
    adjustments: Adjustments = Adjustments(),
    *,
    quarterly_interest: bool = True,
) -> Settlement:
    """VP2–VP14 of `period` from document lines or aggregated rows (any period: those of other
    periods are ignored). `quarterly_interest=False` for quarterly filers by law (art. 74 c. 4),
    who owe no interest."""
    effects: list[Effect] = []
    excluded: list[Exclusion] = []
    for line in lines:
        for outcome in classify(line):
            if period.contains(outcome.counts_on):
                (effects if isinstance(outcome, Effect) else excluded).append(outcome)
    sums = (_sum("VP2", effects), _sum("VP3", effects), _sum("VP4", effects), _sum("VP5", effects))
    return replace(_settlement(period, sums, adjustments, quarterly_interest), excluded=tuple(excluded))


def settle_periods(
    periods: Sequence[Period],
    lines: Iterable[VatLine],
    adjustments: Mapping[Period, Adjustments] | None = None,
    *,
    quarterly_interest: bool = True,
) -> list[Settlement]:
    """Consecutive periods of one year, each taking from the one before its credit (VP8) and
    its unpaid debit of at most 25.82 euro (VP7); the first takes them from `adjustments`."""
    lines = list(lines)
    adjustments = adjustments or {}
    settlements: list[Settlement] = []
    for period in periods:
        own = adjustments.get(period, Adjustments())
        if settlements and settlements[-1].period.year == period.year:
            previous = settlements[-1]
            own = replace(
                own, previous_debit=previous.carried_debit, previous_period_credit=previous.vp14_credit.amount
            )
        settlements.append(settle(period, lines, own, quarterly_interest=quarterly_interest))
    return settlements


SUM_RULES = {
    "VP2": "sum of the operations carried out in the period",
    "VP3": "sum of the purchases recorded in the period",
    "VP4": "sum of the VAT chargeable in the period",
    "VP5": "sum of the VAT deducted in the period",
}


def _sum(code: str, effects: list[Effect]) -> Figure:
    parts = tuple(Part(e.line.source, e.amount, e.rule) for e in effects if e.figure == code)
    return Figure(code, cents(sum((p.amount for p in parts), ZERO)), SUM_RULES[code], parts)


def _settlement(
    period: Period, sums: tuple[Figure, Figure, Figure, Figure], a: Adjustments, quarterly_interest: bool
) -> Settlement:
    vp2, vp3, vp4, vp5 = sums
    vp6_debit, vp6_credit = _signed_pair("VP6", [vp4, _minus(vp5)], "VP4 − VP5 (Specifiche §4.2.2.1)")
    vp7 = _given(
        "VP7", a.previous_debit, "unpaid debit ≤ 25.82 of the previous period (art. 1 c. 4 DPR 100/1998)"
    )
    vp8 = _given("VP8", a.previous_period_credit, "credit of the previous period of the same year")
    vp9 = _given("VP9", a.previous_year_credit, "credit of the previous year's return used in the period")
    vp10 = _given("VP10", a.eu_car_payments, "payments for first domestic sales of EU cars (DL 262/2006)")
    vp11 = _given("VP11", a.tax_credits, "special tax credits used against the payment")
    quarter_due = vp4.amount - vp5.amount + vp7.amount - vp8.amount - vp9.amount - vp10.amount
    vp12 = _interest(period, quarter_due, quarterly_interest)
    vp13 = _given("VP13", a.advance, "December advance due, even if not paid (art. 6 L. 405/1990)")
    terms = [vp6_debit, _minus(vp6_credit), vp7, vp12, *map(_minus, (vp11, vp8, vp9, vp10, vp13))]
    vp14_debit, vp14_credit = _signed_pair(
        "VP14", terms, "VP6 − VP6cr + VP7 + VP12 − VP11 − VP8 − VP9 − VP10 − VP13 (Specifiche §4.2.2.1)"
    )
    return Settlement(
        period, vp2, vp3, vp4, vp5, vp6_debit, vp6_credit, vp7, vp8, vp9, vp10, vp11, vp12, vp13,
        vp14_debit, vp14_credit, a, issues=tuple(_checks(period, vp6_debit.amount, a)),
    )  # fmt: skip


def _minus(figure: Figure) -> Figure:
    return replace(figure, amount=-figure.amount)


def _signed_pair(code: str, terms: list[Figure], formula: str) -> tuple[Figure, Figure]:
    """The debit and credit columns of a balance: one holds it, the other is zero."""
    parts = tuple(Part(term.code, term.amount, formula) for term in terms if term.amount)
    balance = sum((term.amount for term in terms), ZERO)
    return (
        Figure(code, max(balance, ZERO), formula + ", if positive: debit", parts),
        Figure(code, max(-balance, ZERO), formula + ", if negative: credit", parts),
    )


def _given(code: str, amount: Decimal, rule: str) -> Figure:
    return Figure(code, cents(amount), rule, (Part("adjustment", cents(amount), rule),) if amount else ())


def _interest(period: Period, due: Decimal, applies: bool) -> Figure:
    rule = (
        "1 % of the quarter's VAT due (VP6 − VP6cr + VP7 − VP8 − VP9 − VP10), quarterly filers by option, "
        "quarters 1–3 (art. 7 c. 1 lett. b DPR 542/1999; Specifiche §4.2.2.1 InteressiDovuti)"
    )
    if not applies or period.quarter not in (1, 2, 3) or due <= ZERO:
        return Figure("VP12", ZERO, rule)
    interest = cents(due * QUARTERLY_INTEREST_RATE)
    return Figure("VP12", interest, rule, (Part(f"1 % of {cents(due)}", interest, rule),))


def _checks(period: Period, vat_due: Decimal, a: Adjustments) -> list[Issue]:
    """The consistency checks of Specifiche §4.2.2.1 that depend on the figures."""
    issues = []
    if a.previous_debit > CARRIED_DEBIT_LIMIT:
        issues.append(_issue("DebitoPrecedente", f"VP7 {a.previous_debit} exceeds {CARRIED_DEBIT_LIMIT}"))
    if a.previous_period_credit and period.opens_year:
        issues.append(_issue("CreditoPeriodoPrecedente", "VP8 is not allowed in the first month or quarter"))
    payable = (
        vat_due + a.previous_debit - a.previous_period_credit - a.previous_year_credit - a.eu_car_payments
    )
    if a.tax_credits and not ZERO < a.tax_credits <= payable:
        issues.append(_issue("CreditiImposta", f"VP11 {a.tax_credits} must be > 0 and ≤ VP6+VP7−VP8−VP9−VP10 "
                                               f"= {cents(payable)}"))  # fmt: skip
    if a.advance and not period.closes_year:
        issues.append(_issue("Acconto", "VP13 only in the module of December or of the fourth quarter"))
    return issues


def _issue(element: str, message: str) -> Issue:
    return Issue("LIPE", f"{MODULE_PATH}/{element}", message)
