"""What every control reads: the document, the release, our records, and XPath-like paths.

Paths follow lxml/libxml2, like the XSD issues they are reported next to: an element gets a
1-based index only when it has siblings of the same name (`FatturaElettronicaBody[2]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

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


@dataclass(frozen=True)
class Context:
    document: Document
    release: Release
    receipt_date: date | None
    duplicates: DuplicateLookup | None

    @property
    def root(self) -> str:
        return "/" + type(self.document).__name__

    def bodies(self) -> Iterator[tuple[str, ordinaria.FatturaElettronicaBody]]:
        """(path, body) of each body of an ordinaria document."""
        assert isinstance(self.document, FatturaElettronica)
        yield from each(self.root, "FatturaElettronicaBody", self.document.FatturaElettronicaBody)

    def any_bodies(self) -> Iterator[tuple[str, AnyBody]]:
        """(path, body) of each body, whatever the format."""
        yield from each(self.root, "FatturaElettronicaBody", self.document.FatturaElettronicaBody)

    def lines(self) -> Iterator[tuple[str, ordinaria.FatturaElettronicaBody, str, Line]]:
        """(body path, body, line path, line) of every DettaglioLinee."""
        for body_path, body in self.bodies():
            for path, line in lines_of(body_path, body):
                yield body_path, body, path, line

    def cassa(self) -> Iterator[tuple[str, ordinaria.FatturaElettronicaBody, str, Cassa]]:
        """(body path, body, path, item) of every DatiCassaPrevidenziale."""
        for body_path, body in self.bodies():
            for path, item in cassa_of(body_path, body):
                yield body_path, body, path, item

    def summaries(self) -> Iterator[tuple[str, ordinaria.FatturaElettronicaBody, str, Summary]]:
        """(body path, body, path, summary) of every DatiRiepilogo."""
        for body_path, body in self.bodies():
            for path, summary in summaries_of(body_path, body):
                yield body_path, body, path, summary


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


def lines_of(body_path: str, body: ordinaria.FatturaElettronicaBody) -> Iterator[tuple[str, Line]]:
    yield from each(f"{body_path}/DatiBeniServizi", "DettaglioLinee", body.DatiBeniServizi.DettaglioLinee)


def cassa_of(body_path: str, body: ordinaria.FatturaElettronicaBody) -> Iterator[tuple[str, Cassa]]:
    general = f"{body_path}/DatiGenerali/DatiGeneraliDocumento"
    items = body.DatiGenerali.DatiGeneraliDocumento.DatiCassaPrevidenziale
    yield from each(general, "DatiCassaPrevidenziale", items)


def summaries_of(body_path: str, body: ordinaria.FatturaElettronicaBody) -> Iterator[tuple[str, Summary]]:
    yield from each(f"{body_path}/DatiBeniServizi", "DatiRiepilogo", body.DatiBeniServizi.DatiRiepilogo)


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


@dataclass(frozen=True)
class Party:
    """A supplier or customer reduced to what the controls compare: its fiscal identifiers."""

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
    if first.vat_number and first.vat_number == second.vat_number:
        return Relation.SAME
    if first.italian_numbers() & second.italian_numbers():
        return Relation.SAME
    if first.vat is not None and second.vat is not None:
        return Relation.DIFFERENT
    if first.cf and second.cf:
        return Relation.DIFFERENT
    return Relation.UNKNOWN
