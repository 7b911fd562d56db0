"""What every control reads: the document, the release, our records, and XPath-like paths.

Paths follow lxml/libxml2, like the XSD issues they are reported next to: an element gets a
1-based index only when it has siblings of the same name (`FatturaElettronicaBody[2]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from fatturahub.fatturapa.document import Document
from fatturahub.fatturapa.findings import Finding, each
from fatturahub.fatturapa.model import ordinaria, semplificata
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica, IdFiscale
from fatturahub.fatturapa.model.semplificata import FatturaElettronicaSemplificata

from .releases import Release


@dataclass(frozen=True)
class DuplicateKey:
    """What makes two invoices the same for SDI (00404/00409).

    `issuer` is IdPaese+IdCodice (or the codice fiscale) of whoever numbers the document,
    `period` the year, or the full date when the document is issued under art. 73 (Art73=SI),
    `credit_note` separates the credit-note family, which only collides with itself."""

    issuer: str
    period: str
    number: str
    credit_note: bool


# Answers whether our records hold a non-rejected, non-refused invoice with this key.
DuplicateLookup = Callable[[DuplicateKey], bool]


Sources = list[tuple[str, Decimal, ordinaria.Natura | None]]
TYPE_PATH = "DatiGenerali/DatiGeneraliDocumento/TipoDocumento"  # under a body


# Not frozen, like Context below: a frozen dataclass's __init__ pays a generic setattr per field,
# which showed in the profile of a check; neither is changed after it is built.
@dataclass(slots=True)
class BodyItems:
    """The repeated parts of one ordinaria body that several rules walk, with their paths."""

    path: str
    body: ordinaria.FatturaElettronicaBody
    lines: list[tuple[str, Line]]
    cassa: list[tuple[str, Cassa]]
    summaries: list[tuple[str, Summary]]
    sources: Sources  # (path, rate, natura) of every line and cassa item: what summaries summarize
    # each rate and Natura of the sources, then of the summaries, with the path where it first
    # appears: what 00419, 00443 and 00444 compare
    source_rates: dict[Decimal, str]
    source_naturas: dict[ordinaria.Natura, str]
    summary_rates: dict[Decimal, str]
    summary_naturas: dict[ordinaria.Natura, str]

    @classmethod
    def of(cls, path: str, body: ordinaria.FatturaElettronicaBody) -> BodyItems:
        goods = f"{path}/DatiBeniServizi"
        general = f"{path}/DatiGenerali/DatiGeneraliDocumento"
        lines = each(goods, "DettaglioLinee", body.DatiBeniServizi.DettaglioLinee)
        cassa_items = body.DatiGenerali.DatiGeneraliDocumento.DatiCassaPrevidenziale
        cassa = each(general, "DatiCassaPrevidenziale", cassa_items)
        summaries = each(goods, "DatiRiepilogo", body.DatiBeniServizi.DatiRiepilogo)
        sources = [(at, item.AliquotaIVA, item.Natura) for at, item in lines + cassa]
        summarized = [(at, item.AliquotaIVA, item.Natura) for at, item in summaries]
        source_rates, source_naturas = _first_paths(sources)
        summary_rates, summary_naturas = _first_paths(summarized)
        return cls(
            path,
            body,
            lines,
            cassa,
            summaries,
            sources,
            source_rates,
            source_naturas,
            summary_rates,
            summary_naturas,
        )


def _first_paths(items: Sources) -> tuple[dict[Decimal, str], dict[ordinaria.Natura, str]]:
    """Each rate and each Natura among `items` with the path where it first appears."""
    rates: dict[Decimal, str] = {}
    naturas: dict[ordinaria.Natura, str] = {}
    for path, rate, natura in items:
        rates.setdefault(rate, path)
        if natura:
            naturas.setdefault(natura, path)
    return rates, naturas


@dataclass(slots=True)
class Context:
    """One check of one document, with the walks many rules share (bodies, lines, parties)
    done once, up front, by `Context.of`: the rules iterate ready tuples instead of each
    rebuilding them and their paths. It lives only as long as the check."""

    document: Document
    release: Release
    receipt_date: date | None
    duplicates: DuplicateLookup | None
    root: str
    bodies: list[tuple[str, AnyBody]]  # (path, body), whatever the format
    body_items: list[BodyItems]  # of each body of an ordinaria document
    # (body path, body, path, item) of every DettaglioLinee, DatiCassaPrevidenziale, DatiRiepilogo
    lines: list[tuple[str, ordinaria.FatturaElettronicaBody, str, Line]]
    cassa: list[tuple[str, ordinaria.FatturaElettronicaBody, str, Cassa]]
    summaries: list[tuple[str, ordinaria.FatturaElettronicaBody, str, Summary]]
    document_types: list[tuple[str, str]]  # (TipoDocumento path, value) of each body
    supplier: Party
    customer: Party
    parties: Relation  # whether supplier and customer are the same subject

    @classmethod
    def of(
        cls,
        document: Document,
        release: Release,
        receipt_date: date | None,
        duplicates: DuplicateLookup | None,
    ) -> Context:
        root = "/" + type(document).__name__
        bodies = each(root, "FatturaElettronicaBody", document.FatturaElettronicaBody)
        ordinaria_bodies = isinstance(document, FatturaElettronica)
        items = [BodyItems.of(path, body) for path, body in bodies] if ordinaria_bodies else []
        types = [(f"{path}/{TYPE_PATH}", general_data(body).TipoDocumento) for path, body in bodies]
        seller, buyer = supplier(document), customer(document)
        return cls(
            document=document,
            release=release,
            receipt_date=receipt_date,
            duplicates=duplicates,
            root=root,
            bodies=bodies,
            body_items=items,
            lines=[(b.path, b.body, path, line) for b in items for path, line in b.lines],
            cassa=[(b.path, b.body, path, item) for b in items for path, item in b.cassa],
            summaries=[(b.path, b.body, path, s) for b in items for path, s in b.summaries],
            document_types=types,
            supplier=seller,
            customer=buyer,
            parties=relation(seller, buyer),
        )


def finding(code: str, path: str, params: Mapping[str, object] | None = None) -> Finding:
    """A Finding with its values as the message shows them (decimals as written, ISO dates)."""
    return Finding(code, path, {name: str(value) for name, value in (params or {}).items()})


@dataclass(frozen=True)
class Rule:
    """One control: what it may emit (catalogue keys: the SDI code, or code.variant for the
    kinds of 00200), the check, and the formats it reads."""

    codes: tuple[str, ...]
    check: Callable[[Context], Iterable[Finding]]
    formats: tuple[type[Document], ...]


ORDINARIA: tuple[type[Document], ...] = (FatturaElettronica,)
SEMPLIFICATA: tuple[type[Document], ...] = (FatturaElettronicaSemplificata,)
ANY_FORMAT = ORDINARIA + SEMPLIFICATA

AnyBody = ordinaria.FatturaElettronicaBody | semplificata.FatturaElettronicaBody
Line = ordinaria.DettaglioLinee
Cassa = ordinaria.DatiCassaPrevidenziale
Summary = ordinaria.DatiRiepilogo


def general_data(
    body: AnyBody,
) -> ordinaria.DatiGeneraliDocumento | semplificata.DatiGeneraliDocumento:
    return body.DatiGenerali.DatiGeneraliDocumento


def document_date(document: Document) -> date:
    """The latest Data of the file: a lotto cannot reach SDI before its newest document."""
    return max(general_data(body).Data for body in document.FatturaElettronicaBody)


# --- the parties -----------------------------------------------------------------------------
class Relation(Enum):
    SAME = "same"
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # only Anagrafe Tributaria could tell (e.g. a personal CF vs a P.IVA)


class Party(NamedTuple):
    """A supplier or customer reduced to what the controls compare: its fiscal identifiers.
    A NamedTuple: immutable like a frozen dataclass, without that one's setattr per field."""

    vat: IdFiscale | None
    cf: str | None
    path: str  # of its DatiAnagrafici (ordinaria) or identifier block (FSM10)

    @property
    def country(self) -> str:
        # Without IdFiscaleIVA a party is known by its codice fiscale, hence Italian.
        return self.vat.IdPaese if self.vat is not None else "IT"

    @property
    def vat_number(self) -> str | None:
        return f"{self.vat.IdPaese}{self.vat.IdCodice}" if self.vat is not None else None

    def italian_numbers(self) -> set[str]:
        """Numbers that identify the party in Italy: its CF, and its P.IVA when Italian (a
        legal entity's CF is its P.IVA)."""
        numbers = {self.cf} if self.cf else set()
        if self.vat is not None and self.vat.IdPaese == "IT":
            numbers.add(self.vat.IdCodice)
        return numbers


def supplier(document: Document) -> Party:
    header = document.FatturaElettronicaHeader
    if isinstance(document, FatturaElettronica):
        data = header.CedentePrestatore.DatiAnagrafici
        path = "/FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici"
        return Party(data.IdFiscaleIVA, data.CodiceFiscale, "/FatturaElettronica" + path)
    seller = header.CedentePrestatore
    path = "/FatturaElettronicaSemplificata/FatturaElettronicaHeader/CedentePrestatore"
    return Party(seller.IdFiscaleIVA, seller.CodiceFiscale, path)


def customer(document: Document) -> Party:
    header = document.FatturaElettronicaHeader
    if isinstance(document, FatturaElettronica):
        data = header.CessionarioCommittente.DatiAnagrafici
        path = "/FatturaElettronica/FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici"
        return Party(data.IdFiscaleIVA, data.CodiceFiscale, path)
    ids = header.CessionarioCommittente.IdentificativiFiscali
    path = (
        "/FatturaElettronicaSemplificata/FatturaElettronicaHeader/CessionarioCommittente"
        "/IdentificativiFiscali"
    )
    return Party(ids.IdFiscaleIVA, ids.CodiceFiscale, path)


def relation(first: Party, second: Party) -> Relation:
    """Whether two parties are the same subject, as far as the file alone can tell.

    SDI compares VAT numbers and resolves a bare CF to its VAT number in Anagrafe Tributaria;
    we decide only when the identifiers are comparable without that registry."""
    vat_number = first.vat_number
    if vat_number and vat_number == second.vat_number:
        return Relation.SAME
    if first.italian_numbers() & second.italian_numbers():
        return Relation.SAME
    if first.vat is not None and second.vat is not None:
        return Relation.DIFFERENT
    if first.cf and second.cf:
        return Relation.DIFFERENT
    return Relation.UNKNOWN
