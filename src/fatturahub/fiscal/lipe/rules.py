"""Which VP figure each VAT line feeds, with which amount, in which period, and why.

Sources cited: "Specifiche" = Specifiche tecniche e regole per la compilazione della
Comunicazione v1.0 (shared/specs/lipe/docs), "FAQ" = AdE FAQ of 26.5.2017 on the LIPE; the
ministerial instructions of the form are not in the spec set (see the report of this package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fatturahub.fiscal.codes import Esigibilita, sign
from fatturahub.fiscal.lipe.entries import Direction, VatLine

SALES = frozenset(
    {"TD01", "TD02", "TD03", "TD04", "TD05", "TD06", "TD07", "TD08", "TD09", "TD24", "TD25", "TD26", "TD27"}
)
PURCHASES = frozenset(
    {"TD01", "TD02", "TD03", "TD04", "TD05", "TD06", "TD07", "TD08", "TD09", "TD24", "TD25", "TD26", "TD28"}
)
INTEGRATIONS = frozenset({"TD16", "TD17", "TD18", "TD19"})  # reverse charge entered by the buyer
OUTSIDE_ITALIAN_VAT = ("N1", "N2", "N7")  # excluded (art. 15), not subject, VAT paid in another EU state

VP2_OPERATIONS = (
    "VP2: operations carried out in the period, net of VAT (Specifiche §2 TotaleOperazioniAttive)"
)
VP3_PURCHASES = "VP3: purchases recorded in the period, net of VAT (Specifiche §2 TotaleOperazioniPassive)"
VP4_CHARGEABLE = "VP4: VAT chargeable on operations of the period (Specifiche §2 IvaEsigibile)"
VP4_DEFERRED = (
    "VP4: deferred VAT is chargeable when collected, at the latest one year after the operation "
    "(art. 6 c. 5 DPR 633/72)"
)
VP5_DEDUCTED = (
    "VP5: VAT of purchases recorded in the period, at the deductible percentage "
    "(Specifiche §2 IvaDetratta; art. 19 DPR 633/72)"
)
VP5_DEFERRED = (
    "VP5: deferred VAT of a purchase is deductible once paid, at the latest one year after the "
    "operation, and not before it is recorded (art. 19 c. 1, art. 6 c. 5 DPR 633/72)"
)
REVERSE_CHARGE_VP3 = "VP3: a reverse-charge purchase counts its taxable in VP3 only (FAQ 26.5.2017)"
REVERSE_CHARGE_VP4 = (
    "VP4: VAT integrated by the buyer in reverse charge is due (art. 17 DPR 633/72, art. 47 DL 331/93; "
    "FAQ 26.5.2017)"
)
REVERSE_CHARGE_VP5 = "VP5: … and deductible, at the deductible percentage (FAQ 26.5.2017)"
CREDIT_NOTE = "; a credit note subtracts (art. 26 DPR 633/72)"

SPLIT_PAYMENT = (
    "split payment: the public body pays this VAT (art. 17-ter DPR 633/72), so it is not in the "
    "seller's VP4; the taxable stays in VP2 (FAQ 26.5.2017)"
)
SPLIT_PAYMENT_RECEIVED = (
    "split payment on a purchase: the VAT is paid by a public-body buyer, not deducted here"
)
OUTSIDE_VAT = "N1 / N2.x / N7: excluded from, or not subject to, Italian VAT: not an operation of VP2 / VP3"
SUPPLIER_REVERSE_CHARGE = (
    "N6.x on the supplier's invoice: the purchase is counted through its integration (TD16–TD19), not twice"
)


@dataclass(frozen=True)
class Effect:
    """`amount` of `line` counts in `figure` of the period containing `counts_on`."""

    figure: str
    amount: Decimal
    counts_on: date
    rule: str
    line: VatLine


@dataclass(frozen=True)
class Exclusion:
    """`line` was looked at for `figure` (in the period containing `counts_on`) and left out."""

    figure: str
    counts_on: date
    reason: str
    line: VatLine


def classify(line: VatLine) -> list[Effect | Exclusion]:
    if line.direction is Direction.ISSUED:
        if line.document_type in SALES:
            return _sale(line)
    elif line.document_type in INTEGRATIONS:
        return _integration(line)
    elif line.document_type in PURCHASES:
        return _purchase(line)
    reason = (
        f"{line.document_type} on the {line.direction} side has no automatic LIPE treatment: "
        "record its effect as a manual line"
    )
    return [
        Exclusion("VP2" if line.direction is Direction.ISSUED else "VP3", line.document_date, reason, line)
    ]


def chargeable_on(document_date: date, settled_on: date | None) -> date:
    """Deferred VAT: on settlement, or one year after the operation (art. 6 c. 5 DPR 633/72)."""
    one_year_later = _add_year(document_date)
    return one_year_later if settled_on is None else min(settled_on, one_year_later)


def _sale(line: VatLine) -> list[Effect | Exclusion]:
    s, note = sign(line.document_type), _credit_note(line)
    day = line.document_date
    effects: list[Effect | Exclusion] = []
    if _outside_vat(line):
        effects.append(Exclusion("VP2", day, OUTSIDE_VAT, line))
    else:
        effects.append(Effect("VP2", s * line.taxable, day, VP2_OPERATIONS + note, line))
    if not line.vat:
        return effects
    if line.esigibilita is Esigibilita.SPLIT_PAYMENT:
        effects.append(Exclusion("VP4", day, SPLIT_PAYMENT, line))
    elif line.esigibilita is Esigibilita.DEFERRED:
        effects.append(
            Effect("VP4", s * line.vat, chargeable_on(day, line.settled_on), VP4_DEFERRED + note, line)
        )
    else:
        effects.append(Effect("VP4", s * line.vat, day, VP4_CHARGEABLE + note, line))
    return effects


def _purchase(line: VatLine) -> list[Effect | Exclusion]:
    s, note = sign(line.document_type), _credit_note(line)
    recorded = _recorded_on(line)
    effects: list[Effect | Exclusion] = []
    if _outside_vat(line):
        effects.append(Exclusion("VP3", recorded, OUTSIDE_VAT, line))
    elif (line.natura or "").startswith("N6"):
        effects.append(Exclusion("VP3", recorded, SUPPLIER_REVERSE_CHARGE, line))
    else:
        effects.append(Effect("VP3", s * line.taxable, recorded, VP3_PURCHASES + note, line))
    if not line.vat:
        return effects
    if line.esigibilita is Esigibilita.SPLIT_PAYMENT:
        effects.append(Exclusion("VP5", recorded, SPLIT_PAYMENT_RECEIVED, line))
    elif line.esigibilita is Esigibilita.DEFERRED:
        day = max(recorded, chargeable_on(line.document_date, line.settled_on))
        effects.append(Effect("VP5", s * line.deductible, day, VP5_DEFERRED + note, line))
    else:
        effects.append(Effect("VP5", s * line.deductible, recorded, VP5_DEDUCTED + note, line))
    return effects


def _integration(line: VatLine) -> list[Effect | Exclusion]:
    s, note = sign(line.document_type), _credit_note(line)
    recorded = _recorded_on(line)
    return [
        Effect("VP3", s * line.taxable, recorded, REVERSE_CHARGE_VP3 + note, line),
        Effect("VP4", s * line.vat, recorded, REVERSE_CHARGE_VP4 + note, line),
        Effect("VP5", s * line.deductible, recorded, REVERSE_CHARGE_VP5 + note, line),
    ]


def _outside_vat(line: VatLine) -> bool:
    return (line.natura or "").startswith(OUTSIDE_ITALIAN_VAT)


def _credit_note(line: VatLine) -> str:
    return CREDIT_NOTE if sign(line.document_type) < 0 else ""


def _recorded_on(line: VatLine) -> date:
    if line.recorded_on is None:
        raise ValueError(f"received line without a recording date: {line.source or line}")
    return line.recorded_on


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
