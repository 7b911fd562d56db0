"""Realistic supplier invoices for the sandbox to deliver: a plausible supplier (valid check
digits), the given recipient, lines at 22% and 10%, DatiRiepilogo per rate and a payment term.

The totals follow SDI's rules (line totals, Imposta rounded per rate, the document total), so
the files pass SDI's checks and read like what a real supplier sends.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from stdnum import luhn

from fatturahub.fatturapa.naming import Extension, invoice_file_name
from fatturahub.fatturapa.signature import Signer, sign_cades

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CENT = Decimal("0.01")
PAYMENT_DAYS = 30
IBAN = "IT60X0542811101000000123456"  # the well-known example IBAN: check digits valid
TAX_OFFICES = ("001", "015", "058", "063")  # Torino, Milano, Roma, Napoli
SUPPLIERS = (
    ("Forniture Ufficio Rossi S.r.l.", "Via Garibaldi", "20121", "Milano", "MI"),
    ("Tecnoservizi Bianchi S.p.A.", "Corso Vittorio Emanuele II", "10121", "Torino", "TO"),
    ("Officina Verdi & C. S.n.c.", "Via dei Mille", "80121", "Napoli", "NA"),
    ("Studio Informatico Esposito S.r.l.", "Viale Europa", "00144", "Roma", "RM"),
)
ITEMS = (
    ("Fornitura caffè e prodotti per la pausa", "CF", Decimal("18.90"), "10.00"),
    ("Manutenzione ordinaria impianto di climatizzazione", "ORE", Decimal("45.00"), "22.00"),
    ("Carta per fotocopie A4 80 g/m² - risme da 500 fogli", "PZ", Decimal("4.35"), "22.00"),
    ("Servizio di pulizia locali - attività mensile", "MESE", Decimal("380.00"), "22.00"),
    ("Libri e riviste tecniche per l'ufficio", "PZ", Decimal("27.50"), "10.00"),
)


@dataclass(frozen=True)
class InvoiceSpec:
    """What the caller decides about a generated invoice; the rest is made up plausibly."""

    formato: str  # FPA12 or FPR12
    codice_destinatario: str
    cessionario_partita_iva: str | None
    cessionario_codice_fiscale: str | None
    cessionario_denominazione: str
    lines: int = 3
    bodies: int = 1
    signed: bool = False
    base64: bool = False
    encoding: str = "UTF-8"  # or windows-1252
    data: date | None = None


@dataclass(frozen=True)
class GeneratedInvoice:
    file_name: str
    content: bytes


@dataclass(frozen=True)
class _Supplier:
    partita_iva: str
    denominazione: str
    indirizzo: str
    cap: str
    comune: str
    provincia: str


def generate(spec: InvoiceSpec, *, serial: int, today: date, signer: Signer) -> GeneratedInvoice:
    """The `serial`-th generated invoice file (the serial varies the supplier and the numbers)."""
    rng = random.Random(serial)
    supplier = _supplier(rng, serial)
    day = spec.data or today
    name = invoice_file_name(
        "IT", supplier.partita_iva, serial, Extension.SIGNED if spec.signed else Extension.XML
    )
    root = _invoice(spec, supplier, name.progressive, day, rng, serial)
    content = etree.tostring(root, xml_declaration=True, encoding=spec.encoding)
    if spec.signed:
        content = sign_cades(content, signer)
    if spec.base64:
        content = base64.encodebytes(content)  # with line breaks, as some senders write it
    return GeneratedInvoice(str(name), content)


def partita_iva(matricola: int, office: str) -> str:
    """An Italian VAT number: 7-digit matricola, tax office, Luhn check digit."""
    number = f"{matricola:07d}{office}"
    return number + luhn.calc_check_digit(number)


def _supplier(rng: random.Random, serial: int) -> _Supplier:
    name, street, cap, comune, provincia = SUPPLIERS[serial % len(SUPPLIERS)]
    piva = partita_iva(rng.randrange(1, 10**7), rng.choice(TAX_OFFICES))
    return _Supplier(piva, name, f"{street} {rng.randrange(1, 200)}", cap, comune, provincia)


def _invoice(
    spec: InvoiceSpec, supplier: _Supplier, progressive: str, day: date, rng: random.Random, serial: int
) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}FatturaElettronica", nsmap={"p": NAMESPACE, "ds": DSIG, "xsi": XSI})
    root.set("versione", spec.formato)
    header = _sub(root, "FatturaElettronicaHeader")
    _transmission(_sub(header, "DatiTrasmissione"), spec, supplier, progressive)
    _supplier_element(_sub(header, "CedentePrestatore"), supplier)
    _customer(_sub(header, "CessionarioCommittente"), spec)
    for position in range(1, spec.bodies + 1):
        numero = f"{day.year}/{serial % 100_000:05d}-{position}"
        _body(_sub(root, "FatturaElettronicaBody"), spec, numero, day, rng)
    return root


def _transmission(element: etree._Element, spec: InvoiceSpec, supplier: _Supplier, progressive: str) -> None:
    _fiscal_id(_sub(element, "IdTrasmittente"), supplier.partita_iva)
    _text(element, "ProgressivoInvio", progressive)
    _text(element, "FormatoTrasmissione", spec.formato)
    _text(element, "CodiceDestinatario", spec.codice_destinatario)


def _supplier_element(element: etree._Element, supplier: _Supplier) -> None:
    registry = _sub(element, "DatiAnagrafici")
    _fiscal_id(_sub(registry, "IdFiscaleIVA"), supplier.partita_iva)
    _text(_sub(registry, "Anagrafica"), "Denominazione", supplier.denominazione)
    _text(registry, "RegimeFiscale", "RF01")
    _address(_sub(element, "Sede"), supplier.indirizzo, supplier.cap, supplier.comune, supplier.provincia)


def _customer(element: etree._Element, spec: InvoiceSpec) -> None:
    registry = _sub(element, "DatiAnagrafici")
    if spec.cessionario_partita_iva:
        _fiscal_id(_sub(registry, "IdFiscaleIVA"), spec.cessionario_partita_iva)
    if spec.cessionario_codice_fiscale:
        _text(registry, "CodiceFiscale", spec.cessionario_codice_fiscale)
    _text(_sub(registry, "Anagrafica"), "Denominazione", spec.cessionario_denominazione)
    _address(_sub(element, "Sede"), "Piazza del Municipio 1", "00100", "Roma", "RM")


def _body(element: etree._Element, spec: InvoiceSpec, numero: str, day: date, rng: random.Random) -> None:
    lines = [ITEMS[rng.randrange(len(ITEMS))] for _ in range(spec.lines)]
    quantities = [Decimal(rng.randrange(1, 20)) for _ in lines]
    totals = [_money(price * quantity) for (_, _, price, _), quantity in zip(lines, quantities, strict=True)]
    summary = _summary(lines, totals)
    taxable = sum((base for base, _ in summary.values()), Decimal(0))
    tax = sum((imposta for _, imposta in summary.values()), Decimal(0))
    split_payment = spec.formato == "FPA12"  # PAs pay the VAT to the Treasury themselves
    general = _sub(_sub(element, "DatiGenerali"), "DatiGeneraliDocumento")
    for name, value in (("TipoDocumento", "TD01"), ("Divisa", "EUR"), ("Data", day.isoformat())):
        _text(general, name, value)
    _text(general, "Numero", numero)
    _text(general, "ImportoTotaleDocumento", f"{taxable + tax:.2f}")
    _text(general, "Causale", "Fornitura come da ordine; consegna presso la vostra sede")
    goods = _sub(element, "DatiBeniServizi")
    for number, ((description, unit, price, rate), quantity, total) in enumerate(
        zip(lines, quantities, totals, strict=True), start=1
    ):
        _line(_sub(goods, "DettaglioLinee"), number, description, quantity, unit, price, total, rate)
    for rate, (base, imposta) in summary.items():
        riepilogo = _sub(goods, "DatiRiepilogo")
        for name, value in (
            ("AliquotaIVA", rate),
            ("ImponibileImporto", f"{base:.2f}"),
            ("Imposta", f"{imposta:.2f}"),
        ):
            _text(riepilogo, name, value)
        _text(riepilogo, "EsigibilitaIVA", "S" if split_payment else "I")
    _payment(_sub(element, "DatiPagamento"), day, taxable if split_payment else taxable + tax)


def _summary(
    lines: list[tuple[str, str, Decimal, str]], totals: list[Decimal]
) -> dict[str, tuple[Decimal, Decimal]]:
    """ImponibileImporto and Imposta per rate, Imposta rounded on the rate's total (as SDI checks)."""
    bases: dict[str, Decimal] = {}
    for (_, _, _, rate), total in zip(lines, totals, strict=True):
        bases[rate] = bases.get(rate, Decimal(0)) + total
    return {rate: (base, _money(base * Decimal(rate) / 100)) for rate, base in sorted(bases.items())}


def _line(
    element: etree._Element,
    number: int,
    description: str,
    quantity: Decimal,
    unit: str,
    price: Decimal,
    total: Decimal,
    rate: str,
) -> None:
    values = (
        ("NumeroLinea", str(number)),
        ("Descrizione", description),
        ("Quantita", f"{quantity:.2f}"),
        ("UnitaMisura", unit),
        ("PrezzoUnitario", f"{price:.2f}"),
        ("PrezzoTotale", f"{total:.2f}"),
        ("AliquotaIVA", rate),
    )
    for name, value in values:
        _text(element, name, value)


def _payment(element: etree._Element, day: date, amount: Decimal) -> None:
    _text(element, "CondizioniPagamento", "TP02")  # payment in full
    detail = _sub(element, "DettaglioPagamento")
    _text(detail, "ModalitaPagamento", "MP05")  # bank transfer
    _text(detail, "DataScadenzaPagamento", (day + timedelta(days=PAYMENT_DAYS)).isoformat())
    _text(detail, "ImportoPagamento", f"{amount:.2f}")
    _text(detail, "IBAN", IBAN)


def _fiscal_id(element: etree._Element, partita_iva: str) -> None:
    _text(element, "IdPaese", "IT")
    _text(element, "IdCodice", partita_iva)


def _address(element: etree._Element, street: str, cap: str, comune: str, provincia: str) -> None:
    for name, value in (("Indirizzo", street), ("CAP", cap), ("Comune", comune), ("Provincia", provincia)):
        _text(element, name, value)
    _text(element, "Nazione", "IT")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _sub(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, name)


def _text(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(parent, name).text = value
