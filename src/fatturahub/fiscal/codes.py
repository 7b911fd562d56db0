"""FatturaPA code lists as the Comunicazioni finanziarie read them (FACTS.md §1.3, §1.4)."""

from __future__ import annotations

from enum import StrEnum


class Esigibilita(StrEnum):
    """EsigibilitaIVA of a DatiRiepilogo line."""

    IMMEDIATE = "I"
    DEFERRED = "D"  # art. 6 c. 5 DPR 633/72, and VAT on a cash basis (art. 32-bis DL 83/2012)
    SPLIT_PAYMENT = "S"  # scissione dei pagamenti, art. 17-ter DPR 633/72: the PA pays the VAT


CREDIT_NOTES = frozenset({"TD04", "TD08"})  # ordinary and simplified credit notes subtract (art. 26)


def sign(document_type: str) -> int:
    return -1 if document_type in CREDIT_NOTES else 1


def generic_natura(natura: str | None) -> str | None:
    """The N1–N7 code of the DatiFattura schema for a FatturaPA 1.2 Natura (N2.1 -> N2, N6.3 -> N6)."""
    return natura.split(".", 1)[0] if natura else None
