"""The IVP18 `Fornitura` (schema fornituraIvp_2018_v1.xsd): build, validate, parse back.

Amounts are written in the schema's lexical form, comma and two decimals ("1234,56"); only the
DatoVN fields (VP2–VP5, VP9) may carry a minus sign. Elements left empty are not written
(Specifiche §4: "i tag … che si decide di non valorizzare, non devono essere presenti").

A corrective communication is a new, complete Fornitura for the same periods: it replaces the
ones sent before (AdE FAQ 26.5.2017); the schema has no field pointing at the replaced file.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum

from lxml import etree

from fatturahub.fatturapa.issues import InvalidDocument, Issue
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fatturapa.xmlsafe import parse_xml
from fatturahub.fiscal.money import ZERO, cents
from fatturahub.fiscal.periods import Period

NAMESPACE = "urn:www.agenziaentrate.gov.it:specificheTecniche:sco:ivp"
SCHEMA = "lipe/sco/ivp/fornituraIvp_2018_v1.xsd"
SUPPLY_CODE = "IVP18"
MODULE_PATH = "/Fornitura/Comunicazione/DatiContabili/Modulo"
MAX_MODULES = 5  # DatiContabili_IVP_Type: Modulo maxOccurs="5"


@dataclass(frozen=True)
class LipeModule:
    """The figures of one Modulo, named after what they mean; the XML names are in MODULE_FIELDS."""

    period: Period
    total_active: Decimal = ZERO  # VP2
    total_passive: Decimal = ZERO  # VP3
    vat_chargeable: Decimal = ZERO  # VP4
    vat_deducted: Decimal = ZERO  # VP5
    vat_due: Decimal = ZERO  # VP6 col. 1
    vat_credit: Decimal = ZERO  # VP6 col. 2
    previous_debit: Decimal = ZERO  # VP7
    previous_period_credit: Decimal = ZERO  # VP8
    previous_year_credit: Decimal = ZERO  # VP9
    eu_car_payments: Decimal = ZERO  # VP10
    tax_credits: Decimal = ZERO  # VP11
    interest_due: Decimal = ZERO  # VP12
    advance_method: str | None = None  # VP13 col. 1
    advance: Decimal = ZERO  # VP13 col. 2
    amount_to_pay: Decimal = ZERO  # VP14 col. 1
    amount_in_credit: Decimal = ZERO  # VP14 col. 2
    exceptional_events: str | None = None
    subcontracting: bool = False
    extraordinary_operations: bool = False


# (element, LipeModule attribute) in schema order after Mese / Trimestre.
MODULE_FIELDS = (
    ("Subfornitura", "subcontracting"),
    ("EventiEccezionali", "exceptional_events"),
    ("OperazioniStraordinarie", "extraordinary_operations"),
    ("TotaleOperazioniAttive", "total_active"),
    ("TotaleOperazioniPassive", "total_passive"),
    ("IvaEsigibile", "vat_chargeable"),
    ("IvaDetratta", "vat_deducted"),
    ("IvaDovuta", "vat_due"),
    ("IvaCredito", "vat_credit"),
    ("DebitoPrecedente", "previous_debit"),
    ("CreditoPeriodoPrecedente", "previous_period_credit"),
    ("CreditoAnnoPrecedente", "previous_year_credit"),
    ("VersamentiAutoUE", "eu_car_payments"),
    ("CreditiImposta", "tax_credits"),
    ("InteressiDovuti", "interest_due"),
    ("Metodo", "advance_method"),
    ("Acconto", "advance"),
    ("ImportoDaVersare", "amount_to_pay"),
    ("ImportoACredito", "amount_in_credit"),
)
ALWAYS_WRITTEN = frozenset({"total_active", "total_passive", "vat_chargeable", "vat_deducted"})
# Of each alternative pair one is written, as "0,00" when both are zero (Specifiche §4.2.2.1).
ZERO_WRITTEN_AS = {"vat_due": "vat_credit", "amount_to_pay": "amount_in_credit"}


class Commitment(StrEnum):
    """ImpegnoPresentazione: who prepared the communication the intermediary sends."""

    PREPARED_BY_TAXPAYER = "1"
    PREPARED_BY_SENDER = "2"


@dataclass(frozen=True)
class Signatory:
    """A person acting for the taxpayer: tax code and CodiceCarica (1–9, 11–15)."""

    tax_code: str
    role: str


@dataclass(frozen=True)
class Intermediary:
    """The intermediary who transmits (art. 3 c. 3 DPR 322/1998): all four fields go together."""

    tax_code: str
    commitment: Commitment
    commitment_date: date
    signed: bool = True


@dataclass(frozen=True)
class LipeCommunication:
    tax_code: str
    vat_number: str
    year: int
    modules: tuple[LipeModule, ...]
    declarant: Signatory | None = None  # CFDichiarante: required unless the taxpayer is a person
    declarant_company_tax_code: str | None = None  # CodiceFiscaleSocieta, when the declarant is a company
    transmitter: Signatory | None = None  # Intestazione: sends for another subject, not as intermediary
    intermediary: Intermediary | None = None
    signed: bool = True  # FirmaDichiarazione
    software_id: str | None = None  # IdentificativoProdSoftware
    identifier: int = 1  # Comunicazione/@identificativo, unique in the Fornitura


def build(communication: LipeCommunication) -> etree._ElementTree:
    if not 1 <= len(communication.modules) <= MAX_MODULES:
        raise ValueError(f"a communication has 1..{MAX_MODULES} modules, got {len(communication.modules)}")
    root = etree.Element(_q("Fornitura"), nsmap={"iv": NAMESPACE})
    _intestazione(etree.SubElement(root, _q("Intestazione")), communication.transmitter)
    comunicazione = etree.SubElement(
        root, _q("Comunicazione"), identificativo=f"{communication.identifier:05d}"
    )
    _frontespizio(etree.SubElement(comunicazione, _q("Frontespizio")), communication)
    dati = etree.SubElement(comunicazione, _q("DatiContabili"))
    for number, module in enumerate(communication.modules, start=1):
        _modulo(etree.SubElement(dati, _q("Modulo")), number, module)
    return etree.ElementTree(root)


def to_bytes(communication: LipeCommunication) -> bytes:
    return etree.tostring(build(communication), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def check(tree: etree._ElementTree | etree._Element) -> list[Issue]:
    """Errors against the official IVP18 schema, each with the path of the offending element."""
    return validate(tree, schema(SCHEMA))


def parse(data: bytes) -> LipeCommunication:
    """A Fornitura back into its typed form; raises InvalidDocument when it breaks the schema."""
    tree = parse_xml(data)
    if issues := check(tree):
        raise InvalidDocument(issues)
    root = tree.getroot()
    front = root.find(_path("Comunicazione", "Frontespizio"))
    intermediary_code = _text(front, "CFIntermediario")
    year = int(_text(front, "AnnoImposta") or 0)
    modules = root.iterfind(_path("Comunicazione", "DatiContabili", "Modulo"))
    return LipeCommunication(
        tax_code=_text(front, "CodiceFiscale") or "",
        vat_number=_text(front, "PartitaIVA") or "",
        year=year,
        modules=tuple(_read_module(module, year) for module in modules),
        declarant=_signatory(front, "CFDichiarante", "CodiceCaricaDichiarante"),
        declarant_company_tax_code=_text(front, "CodiceFiscaleSocieta"),
        transmitter=_signatory(root.find(_q("Intestazione")), "CodiceFiscaleDichiarante", "CodiceCarica"),
        intermediary=None if intermediary_code is None else Intermediary(
            intermediary_code,
            Commitment(_text(front, "ImpegnoPresentazione")),
            _read_date(_text(front, "DataImpegno") or ""),
            _text(front, "FirmaIntermediario") == "1",
        ),
        signed=_text(front, "FirmaDichiarazione") == "1",
        software_id=_text(front, "IdentificativoProdSoftware"),
        identifier=int(root.find(_q("Comunicazione")).get("identificativo")),
    )  # fmt: skip


def format_amount(amount: Decimal) -> str:
    """1234.5 -> "1234,50" (cm:DatoVP_Type / iv:DatoVN_Type)."""
    return f"{cents(amount):.2f}".replace(".", ",")


def _intestazione(element: etree._Element, transmitter: Signatory | None) -> None:
    _add(element, "CodiceFornitura", SUPPLY_CODE)
    if transmitter:
        _add(element, "CodiceFiscaleDichiarante", transmitter.tax_code)
        _add(element, "CodiceCarica", transmitter.role)


def _frontespizio(element: etree._Element, c: LipeCommunication) -> None:
    _add(element, "CodiceFiscale", c.tax_code)
    _add(element, "AnnoImposta", str(c.year))
    _add(element, "PartitaIVA", c.vat_number)
    if c.declarant:
        _add(element, "CFDichiarante", c.declarant.tax_code)
        _add(element, "CodiceCaricaDichiarante", c.declarant.role)
    if c.declarant_company_tax_code:
        _add(element, "CodiceFiscaleSocieta", c.declarant_company_tax_code)
    _add(element, "FirmaDichiarazione", _flag(c.signed))
    if c.intermediary:
        _add(element, "CFIntermediario", c.intermediary.tax_code)
        _add(element, "ImpegnoPresentazione", c.intermediary.commitment.value)
        _add(element, "DataImpegno", c.intermediary.commitment_date.strftime("%d%m%Y"))
        _add(element, "FirmaIntermediario", _flag(c.intermediary.signed))
    if c.software_id:
        _add(element, "IdentificativoProdSoftware", c.software_id)


def _modulo(element: etree._Element, number: int, module: LipeModule) -> None:
    _add(element, "NumeroModulo", str(number))
    period = module.period
    _add(element, "Mese" if period.month is not None else "Trimestre", str(period.month or period.quarter))
    for name, attribute in MODULE_FIELDS:
        if (text := _lexical(module, attribute)) is not None:
            _add(element, name, text)


def _lexical(module: LipeModule, attribute: str) -> str | None:
    value = getattr(module, attribute)
    if isinstance(value, bool):
        return "1" if value else None
    if not isinstance(value, Decimal):
        return value
    if value or attribute in ALWAYS_WRITTEN:
        return format_amount(value)
    other = ZERO_WRITTEN_AS.get(attribute)
    return format_amount(value) if other and not getattr(module, other) else None


def _read_module(element: etree._Element, year: int) -> LipeModule:
    month, quarter = _text(element, "Mese"), _text(element, "Trimestre")
    period = Period(year, month=int(month)) if month else Period(year, quarter=int(quarter or 0))
    values = {
        attribute: _value(attribute, text)
        for name, attribute in MODULE_FIELDS
        if (text := _text(element, name)) is not None
    }
    return LipeModule(period, **values)  # type: ignore[arg-type]


_DEFAULTS = {f.name: f.default for f in fields(LipeModule)}


def _value(attribute: str, text: str) -> bool | Decimal | str:
    default = _DEFAULTS[attribute]
    if isinstance(default, bool):
        return text == "1"
    if isinstance(default, Decimal):
        return Decimal(text.replace(",", "."))
    return text


def _signatory(parent: etree._Element, code: str, role: str) -> Signatory | None:
    tax_code = _text(parent, code)
    return None if tax_code is None else Signatory(tax_code, _text(parent, role) or "")


def _read_date(text: str) -> date:
    return date(int(text[4:]), int(text[2:4]), int(text[:2]))


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, _q(name)).text = text


def _text(parent: etree._Element, name: str) -> str | None:
    return parent.findtext(_q(name))


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _path(*names: str) -> str:
    return "/".join(_q(n) for n in names)
