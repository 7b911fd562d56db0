"""Decimal helpers: money is never a float, and rounding is always explicit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@cache
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round like SDI and Italian tax practice do: halves away from zero (2.345 -> 2.35)."""
    return value.quantize(_quantum(places), rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, rate: Decimal) -> Decimal:
    """`rate` percent of `amount`, unrounded (rates are percentages: 22.00, not 0.22)."""
    return amount * rate / HUNDRED


def amount_text(value: Decimal, min_places: int = 2, max_places: int = 8) -> str:
    """An amount as the schema writes it: at least `min_places` decimals, at most `max_places`
    (rounded half-up beyond them), no exponent, no trailing zeros past the minimum."""
    value = round_half_up(value, max_places)
    exponent = value.normalize().as_tuple().exponent
    places = min(max(-exponent if isinstance(exponent, int) else 0, min_places), max_places)
    return format(round_half_up(value, places), "f")


def signed_text(value: Decimal, min_places: int = 2, max_places: int = 8) -> str:
    """Like `amount_text`, with an explicit sign: differences read better as +0.01 / -0.01."""
    text = amount_text(value, min_places, max_places)
    return text if text.startswith("-") else f"+{text}"
