"""LIPE — Comunicazione liquidazioni periodiche IVA (art. 21-bis DL 78/2010; FACTS.md §6.2).

lines = vat_lines(documents)                       # or aggregated VatLine rows from the database
settlement = settle(Period(2026, quarter=1), lines, Adjustments(...))
settlement.vp4.amount, settlement.vp4.parts        # every figure, and what makes it up
xml = ivp18.to_bytes(LipeCommunication(..., modules=(settlement.module(),)))
"""

from fatturahub.fiscal.lipe.compute import (
    Adjustments,
    AdvanceMethod,
    ExceptionalEvents,
    Figure,
    Part,
    Settlement,
    settle,
    settle_periods,
)
from fatturahub.fiscal.lipe.entries import (
    Direction,
    IssuedDocument,
    ReceivedDocument,
    SummaryLine,
    VatLine,
    aggregate,
    vat_lines,
)
from fatturahub.fiscal.lipe.ivp18 import Commitment, Intermediary, LipeCommunication, LipeModule, Signatory

__all__ = [
    "Adjustments",
    "AdvanceMethod",
    "Commitment",
    "Direction",
    "ExceptionalEvents",
    "Figure",
    "Intermediary",
    "IssuedDocument",
    "LipeCommunication",
    "LipeModule",
    "Part",
    "ReceivedDocument",
    "Settlement",
    "Signatory",
    "SummaryLine",
    "VatLine",
    "aggregate",
    "settle",
    "settle_periods",
    "vat_lines",
]
