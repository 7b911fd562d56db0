"""The line arithmetic SDI checks with code 00423 (FACTS.md §1.7)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from fatturahub.fatturapa.model.ordinaria import (
    DettaglioLinee,
    ScontoMaggiorazione,
    TipoScontoMaggiorazione,
)
from fatturahub.fatturapa.totals.money import HUNDRED

ONE = Decimal(1)


def apply_discount(price: Decimal, discount: ScontoMaggiorazione) -> Decimal:
    """One step of the cascade. A percentage acts on the running price and wins over an
    amount when both are given (SDI reads only the percentage). SC lowers, MG raises. A step
    with neither value (itself an error, 00438/00437) leaves the price unchanged."""
    sign = -1 if discount.Tipo == TipoScontoMaggiorazione.SC else 1
    if discount.Percentuale is not None:
        return price * (ONE + sign * discount.Percentuale / HUNDRED)
    if discount.Importo is not None:
        return price + sign * discount.Importo
    return price


def apply_discounts(price: Decimal, discounts: Iterable[ScontoMaggiorazione]) -> Decimal:
    """The discounts and markups applied in document order, each on the previous result."""
    for discount in discounts:
        price = apply_discount(price, discount)
    return price


def expected_line_total(line: DettaglioLinee) -> Decimal:
    """PrezzoTotale as SDI recomputes it for 00423: PrezzoUnitario with its discounts and
    markups in cascade, times Quantita (absent means 1). Unrounded: the control compares it
    with the given PrezzoTotale within ±0.01."""
    unit_price = line.PrezzoUnitario
    if line.ScontoMaggiorazione:  # most lines have none: skip the call
        unit_price = apply_discounts(unit_price, line.ScontoMaggiorazione)
    quantity = line.Quantita if line.Quantita is not None else ONE
    return unit_price * quantity
