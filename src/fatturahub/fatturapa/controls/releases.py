"""Specification releases: which codes exist and which document types each control covers.

SDI checks a file against the rules in force when it arrives. We pick the release in force at
the document's date (FACTS §0): the rules are the same functions in every release, parametrised
by the lists below, which are what changed between releases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from fatturahub.fatturapa.model import ordinaria, semplificata


def _codes(values: str) -> frozenset[str]:
    return frozenset(values.split())


@dataclass(frozen=True, repr=False)
class Release:
    """One release of the AdE specifications, as far as the controls are concerned."""

    name: str
    in_force_from: date
    document_types: frozenset[str]  # TipoDocumento values that exist (else 00200)
    regimes: frozenset[str]  # RegimeFiscale values that exist (else 00200)
    distinct_parties: frozenset[str]  # 00471: supplier must not be the customer
    same_party: frozenset[str]  # 00472: supplier must be the customer
    foreign_supplier: frozenset[str]  # 00473: supplier IdPaese must not be IT
    italian_supplier: frozenset[str]  # 00473: supplier IdPaese must be IT
    customer_vat_required: frozenset[str]  # 00475
    simplified_limit: Decimal  # 00460: FSM10 ceiling
    simplified_limit_exempt: frozenset[str]  # 00460: regimes the ceiling does not apply to

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Release({self.name!r}, in force from {self.in_force_from})"


_ALL_TYPES = frozenset(ordinaria.TipoDocumento) | frozenset(semplificata.TipoDocumento)
_ALL_REGIMES = frozenset(ordinaria.RegimeFiscale)

# Elenco controlli 1.8 (2022-10-01). 00471 covers, besides the integrations TD16-TD20, the types
# listed in AdE's note of 2022-08-01 (TD01 TD02 TD03 TD06 TD24 TD25 TD28, and TD07 for FSM10).
SPEC_1_8 = Release(
    name="1.8",
    in_force_from=date(2022, 10, 1),
    document_types=_ALL_TYPES - {"TD29"},
    regimes=_ALL_REGIMES - {"RF20"},
    distinct_parties=_codes("TD01 TD02 TD03 TD06 TD07 TD16 TD17 TD18 TD19 TD20 TD24 TD25 TD28"),
    same_party=_codes("TD21 TD27"),
    foreign_supplier=_codes("TD17 TD18 TD19 TD28"),
    italian_supplier=frozenset(),
    customer_vat_required=_codes("TD16 TD17 TD18 TD19 TD20 TD22 TD23 TD28"),
    simplified_limit=Decimal("400.00"),
    simplified_limit_exempt=frozenset(),
)

# Specifiche 1.9 (2025-04-01) with Elenco controlli 2.0: TD29 and RF20 appear, TD29 joins
# 00471/00473/00475, and the FSM10 ceiling no longer applies to RF19/RF20.
SPEC_1_9 = replace(
    SPEC_1_8,
    name="1.9",
    in_force_from=date(2025, 4, 1),
    document_types=_ALL_TYPES,
    regimes=_ALL_REGIMES,
    distinct_parties=SPEC_1_8.distinct_parties | {"TD29"},
    italian_supplier=_codes("TD29"),
    customer_vat_required=SPEC_1_8.customer_vat_required | {"TD29"},
    simplified_limit_exempt=_codes("RF19 RF20"),
)

# Specifiche 1.9.1 (usable from 2026-05-15): no change to the schema or to these controls is
# known, so it is 1.9 under its own name, for the report to say which text applied.
SPEC_1_9_1 = replace(SPEC_1_9, name="1.9.1", in_force_from=date(2026, 5, 15))

RELEASES: tuple[Release, ...] = (SPEC_1_8, SPEC_1_9, SPEC_1_9_1)


def release_for(day: date) -> Release:
    """The release in force on `day`; days before the oldest release we model get the oldest."""
    for release in reversed(RELEASES):
        if release.in_force_from <= day:
            return release
    return RELEASES[0]


def release_named(name: str) -> Release:
    for release in RELEASES:
        if release.name == name:
            return release
    known = ", ".join(r.name for r in RELEASES)
    raise ValueError(f"unknown specification release {name!r} (known: {known})")
