"""FatturaPA 1.2 codes to the narrower code lists of DatiFatturav2.1."""

from __future__ import annotations

from fatturahub.fiscal.codes import generic_natura

# The eight types the schema allows (TipoDocumentoType) are kept as they are.
ALLOWED = frozenset({"TD01", "TD04", "TD05", "TD07", "TD08", "TD10", "TD11", "TD12"})
# Later FatturaPA types that are, for these data, an invoice or a debit note of the list.
REDUCED = {
    "TD02": "TD01",  # advance invoice
    "TD03": "TD01",  # advance on a fee note
    "TD06": "TD01",  # fee note (parcella)
    "TD24": "TD01",  # deferred invoice
    "TD25": "TD01",  # deferred invoice, triangular
    "TD26": "TD01",  # sale of depreciable assets
    "TD27": "TD01",  # self-consumption / free supplies
    "TD09": "TD05",  # simplified debit note
    "TD17": "TD11",  # integration of services bought from abroad
    "TD18": "TD10",  # integration of intra-EU goods purchases
}


class NotInDatiFattura(ValueError):
    """A document these data never carried: the domestic reverse-charge integration TD16 (the
    supplier's N6 invoice is reported instead), TD19–TD23 and TD28–TD29, which postdate them."""


def document_type(fatturapa_type: str) -> str:
    if fatturapa_type in ALLOWED:
        return fatturapa_type
    try:
        return REDUCED[fatturapa_type]
    except KeyError:
        raise NotInDatiFattura(f"{fatturapa_type} has no Dati Fattura TipoDocumento") from None


def natura(fatturapa_natura: str | None) -> str | None:
    """N2.1 -> N2, N3.5 -> N3, N6.9 -> N6; N1, N4, N5, N7 unchanged (NaturaType allows N1–N7)."""
    return generic_natura(fatturapa_natura)
