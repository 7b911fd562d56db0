"""Build DTE / DTR / ANN files, split at the schema's limits, and check them against it.

Limits (Specifiche tecniche dati fatture v1.1 §2–§3, DatiFatturav2.1.xsd): 1,000 counterparties per
file, 1,000 documents per counterparty; FatturaHub also keeps each file to 1,000 documents, so a file
stays well under the 5 MB cap. `Posizione` (for a later Rettifica or ANN) is a document's place in
its file, counting across counterparties from 1 (§2 Rettifica).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.datifatture.mapping import document_type, natura
from fatturahub.fiscal.money import cents

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v2.0"
SCHEMA = "datifatture/DatiFatturav2.1.xsd"
VERSION = "DAT20"
MAX_DOCUMENTS_PER_FILE = 1000


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    country: str = "IT"
    number: str | None = None
    postcode: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class Party:
    """A counterparty or the declaring company: VAT id and/or tax code, name and seat."""

    country: str = "IT"
    vat_code: str | None = None
    tax_code: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address: Address | None = None


@dataclass(frozen=True)
class Summary:
    """One DatiRiepilogo, with the FatturaPA Natura (mapped to N1–N7 when written)."""

    taxable: Decimal
    vat: Decimal
    rate: Decimal
    natura: str | None = None
    esigibilita: Esigibilita | None = None
    deductible_percent: Decimal | None = None  # Detraibile
    deductible_cost: bool = False  # Deducibile SI


@dataclass(frozen=True)
class InvoiceData:
    counterparty: Party
    document_type: str  # FatturaPA TipoDocumento, mapped when written
    date: date
    number: str
    summaries: tuple[Summary, ...]
    recorded_on: date | None = None  # DTR DataRegistrazione


@dataclass(frozen=True)
class Declarant:
    """DatiFatturaHeader/Dichiarante: who signs for the company, with CodiceCarica 1–15."""

    tax_code: str
    role: int


@dataclass(frozen=True)
class Position:
    """A document already sent: the IdFile SDI gave its file and its place in it."""

    id_file: str
    position: int | None = None  # None: the whole file (ANN only)


@dataclass(frozen=True)
class DatiFatturaFile:
    tree: etree._ElementTree
    documents: tuple[InvoiceData, ...]  # in file order: Posizione = index + 1

    def to_bytes(self) -> bytes:
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def issued_invoices_files(
    company: Party, invoices: Iterable[InvoiceData], declarant: Declarant | None = None
) -> list[DatiFatturaFile]:
    """DTE files for the invoices `company` issued, grouped by customer, ≤ 1,000 per file."""
    return [_file("DTE", company, chunk, declarant) for chunk in _chunks(invoices)]


def received_invoices_files(
    company: Party, invoices: Iterable[InvoiceData], declarant: Declarant | None = None
) -> list[DatiFatturaFile]:
    """DTR files for the invoices `company` received (each needs `recorded_on`)."""
    return [_file("DTR", company, chunk, declarant) for chunk in _chunks(invoices)]


def correction(
    kind: str, company: Party, invoice: InvoiceData, replaces: Position, declarant: Declarant | None = None
) -> DatiFatturaFile:
    """A DTE or DTR file whose Rettifica points at the document it corrects (§2/§3 Rettifica)."""
    if replaces.position is None:
        raise ValueError("a Rettifica names the position of the document it corrects")
    result = _file(kind, company, [invoice], declarant)
    block = result.tree.getroot().find(_q(kind))
    rettifica = etree.SubElement(block, _q("Rettifica"))
    _add(rettifica, "IdFile", replaces.id_file)
    _add(rettifica, "Posizione", str(replaces.position))
    return result


def cancellation(cancelled: Position, declarant: Declarant | None = None) -> DatiFatturaFile:
    """ANN of a whole file, or of the document at `position` in it (§4)."""
    root = _root(declarant)
    ann = etree.SubElement(root, _q("ANN"))
    _add(ann, "IdFile", cancelled.id_file)
    if cancelled.position is not None:
        _add(ann, "Posizione", str(cancelled.position))
    return DatiFatturaFile(etree.ElementTree(root), ())


def check(tree: etree._ElementTree | etree._Element) -> list[Issue]:
    """Errors against DatiFatturav2.1.xsd, each with the path of the offending element."""
    return validate(tree, schema(SCHEMA))


def _chunks(invoices: Iterable[InvoiceData]) -> Iterator[list[InvoiceData]]:
    """Documents grouped by counterparty (first-seen order), cut every 1,000 documents."""
    grouped: dict[Party, list[InvoiceData]] = {}
    for invoice in invoices:
        grouped.setdefault(invoice.counterparty, []).append(invoice)
    ordered = [invoice for group in grouped.values() for invoice in group]
    for start in range(0, len(ordered), MAX_DOCUMENTS_PER_FILE):
        yield ordered[start : start + MAX_DOCUMENTS_PER_FILE]


def _file(
    kind: str, company: Party, invoices: list[InvoiceData], declarant: Declarant | None
) -> DatiFatturaFile:
    root = _root(declarant)
    block = etree.SubElement(root, _q(kind))
    issued = kind == "DTE"
    own = etree.SubElement(block, _q("CedentePrestatoreDTE" if issued else "CessionarioCommittenteDTR"))
    _party(own, company)
    counterparty_element = "CessionarioCommittenteDTE" if issued else "CedentePrestatoreDTR"
    current: Party | None = None
    for invoice in invoices:
        if invoice.counterparty != current:
            current = invoice.counterparty
            other = etree.SubElement(block, _q(counterparty_element))
            _party(other, current)
        _body(etree.SubElement(other, _q("DatiFatturaBodyDTE" if issued else "DatiFatturaBodyDTR")), invoice)
    return DatiFatturaFile(etree.ElementTree(root), tuple(invoices))


def _root(declarant: Declarant | None) -> etree._Element:
    root = etree.Element(_q("DatiFattura"), nsmap={"ns2": NAMESPACE}, versione=VERSION)
    if declarant:
        header = etree.SubElement(root, _q("DatiFatturaHeader"))
        dichiarante = etree.SubElement(header, _q("Dichiarante"))
        _add(dichiarante, "CodiceFiscale", declarant.tax_code)
        _add(dichiarante, "Carica", str(declarant.role))
    return root


def _party(element: etree._Element, party: Party) -> None:
    if party.vat_code or party.tax_code:
        ids = etree.SubElement(element, _q("IdentificativiFiscali"))
        if party.vat_code:
            vat = etree.SubElement(ids, _q("IdFiscaleIVA"))
            _add(vat, "IdPaese", party.country)
            _add(vat, "IdCodice", party.vat_code)
        _optional(ids, "CodiceFiscale", party.tax_code)
    if not (party.name or party.last_name or party.address):
        return
    others = etree.SubElement(element, _q("AltriDatiIdentificativi"))
    _optional(others, "Denominazione", party.name)
    _optional(others, "Nome", party.first_name)
    _optional(others, "Cognome", party.last_name)
    if party.address:
        _address(etree.SubElement(others, _q("Sede")), party.address)


def _address(element: etree._Element, address: Address) -> None:
    _add(element, "Indirizzo", address.street)
    _optional(element, "NumeroCivico", address.number)
    _optional(element, "CAP", address.postcode)
    _add(element, "Comune", address.city)
    _optional(element, "Provincia", address.province)
    _add(element, "Nazione", address.country)


def _body(element: etree._Element, invoice: InvoiceData) -> None:
    general = etree.SubElement(element, _q("DatiGenerali"))
    _add(general, "TipoDocumento", document_type(invoice.document_type))
    _add(general, "Data", invoice.date.isoformat())
    _add(general, "Numero", invoice.number)
    if etree.QName(element).localname == "DatiFatturaBodyDTR":
        if invoice.recorded_on is None:
            raise ValueError(f"received invoice {invoice.number} has no recording date (DataRegistrazione)")
        _add(general, "DataRegistrazione", invoice.recorded_on.isoformat())
    for summary in invoice.summaries:
        _summary(etree.SubElement(element, _q("DatiRiepilogo")), summary)


def _summary(element: etree._Element, summary: Summary) -> None:
    _add(element, "ImponibileImporto", _amount(summary.taxable))
    vat = etree.SubElement(element, _q("DatiIVA"))
    _add(vat, "Imposta", _amount(summary.vat))
    _add(vat, "Aliquota", _amount(summary.rate))
    _optional(element, "Natura", natura(summary.natura))
    if summary.deductible_percent is not None:
        _add(element, "Detraibile", _amount(summary.deductible_percent))
    if summary.deductible_cost:
        _add(element, "Deducibile", "SI")
    if summary.esigibilita:
        _add(element, "EsigibilitaIVA", summary.esigibilita.value)


def _amount(value: Decimal) -> str:
    return f"{cents(value):.2f}"


def _optional(parent: etree._Element, name: str, text: str | None) -> None:
    if text:
        _add(parent, name, text)


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, _q(name)).text = text


def _q(name: str) -> str:
    # Only the root is qualified: the schema has no elementFormDefault, children are unqualified.
    return f"{{{NAMESPACE}}}{name}" if name == "DatiFattura" else name
