"""Header: transmission data and the parties' identifiers.

SDI checks Italian identifiers against Anagrafe Tributaria (00300-00306); a wrong check digit is
the part of that decidable offline, so that is what we check — and only for Italian ids, as SDI
does not check foreign ones. Registry-only controls (00311, 00312, 00320-00327, 00398, 00399) are
SDI's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType

from stdnum.it import codicefiscale, iva

from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.model.ordinaria import FatturaElettronica

from .context import ANY_FORMAT, Context, Rule, finding


@dataclass(frozen=True)
class Identifier:
    """Where an identifier sits, relative to the root: its element and the code SDI uses."""

    code: str
    path: str
    # the IdFiscaleIVA next to a CodiceFiscale: a CF is checked when that id is absent or IT
    vat_beside: str | None = None


VAT, CF, TRANSMITTER = "vat", "cf", "transmitter"

ORDINARIA_IDENTIFIERS = {
    TRANSMITTER: [Identifier("00300", "FatturaElettronicaHeader/DatiTrasmissione/IdTrasmittente")],
    VAT: [
        Identifier("00301", "FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA"),
        Identifier("00303", "FatturaElettronicaHeader/RappresentanteFiscale/DatiAnagrafici/IdFiscaleIVA"),
        Identifier(
            "00303",
            "FatturaElettronicaHeader/CessionarioCommittente/RappresentanteFiscale/IdFiscaleIVA",
        ),
        Identifier("00305", "FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA"),
    ],
    CF: [
        Identifier(
            "00302",
            "FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/CodiceFiscale",
            "FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA",
        ),
        Identifier(
            "00304",
            "FatturaElettronicaHeader/RappresentanteFiscale/DatiAnagrafici/CodiceFiscale",
            "FatturaElettronicaHeader/RappresentanteFiscale/DatiAnagrafici/IdFiscaleIVA",
        ),
        Identifier(
            "00306",
            "FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/CodiceFiscale",
            "FatturaElettronicaHeader/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA",
        ),
    ],
}

SEMPLIFICATA_IDENTIFIERS = {
    TRANSMITTER: [Identifier("00300", "FatturaElettronicaHeader/DatiTrasmissione/IdTrasmittente")],
    VAT: [
        Identifier("00301", "FatturaElettronicaHeader/CedentePrestatore/IdFiscaleIVA"),
        Identifier("00303", "FatturaElettronicaHeader/CedentePrestatore/RappresentanteFiscale/IdFiscaleIVA"),
        Identifier(
            "00303",
            "FatturaElettronicaHeader/CessionarioCommittente/AltriDatiIdentificativi"
            "/RappresentanteFiscale/IdFiscaleIVA",
        ),
        Identifier(
            "00305",
            "FatturaElettronicaHeader/CessionarioCommittente/IdentificativiFiscali/IdFiscaleIVA",
        ),
    ],
    CF: [
        Identifier(
            "00302",
            "FatturaElettronicaHeader/CedentePrestatore/CodiceFiscale",
            "FatturaElettronicaHeader/CedentePrestatore/IdFiscaleIVA",
        ),
        Identifier(
            "00306",
            "FatturaElettronicaHeader/CessionarioCommittente/IdentificativiFiscali/CodiceFiscale",
            "FatturaElettronicaHeader/CessionarioCommittente/IdentificativiFiscali/IdFiscaleIVA",
        ),
    ],
}

NO_CHANNEL_ABROAD = "XXXXXXX"  # customer not resident: the invoice only reports the operation
SDI_MAILBOX = re.compile(r"@pec\.fatturapa\.it$", re.IGNORECASE)
RECIPIENT_CODE_LENGTH = {"FPA12": 6, "FPR12": 7, "FSM10": 7}


@cache  # the fixed paths of the tables above: each is split once, not once per document
def _steps(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def _at(document: object, path: str) -> object | None:
    """The value at a root-relative path of element names, None when any step is absent."""
    node = document
    for name in _steps(path):
        if node is None:  # past an absent step: getattr(None, name, None) would raise and catch
            return None
        node = getattr(node, name, None)
    return node


def _identifiers(ctx: Context) -> dict[str, list[Identifier]]:
    if isinstance(ctx.document, FatturaElettronica):
        return ORDINARIA_IDENTIFIERS
    return SEMPLIFICATA_IDENTIFIERS


@lru_cache(maxsize=8192)  # the same parties recur invoice after invoice; stdnum is slow-ish
def _valid(kind: ModuleType, value: str) -> bool:
    """Checked as written: python-stdnum would first strip spaces, dashes and an IT prefix,
    which SDI does not accept inside IdCodice or CodiceFiscale."""
    return kind.compact(value) == value and kind.is_valid(value)


# --- check digits ----------------------------------------------------------------------------
def transmitter_check_digit(ctx: Context) -> Iterator[Finding]:
    """The transmitter is identified by its codice fiscale or P.IVA (00300)."""
    for where in _identifiers(ctx)[TRANSMITTER]:
        value = _at(ctx.document, where.path)
        if value is not None and value.IdPaese == "IT" and not _valid(codicefiscale, value.IdCodice):
            yield finding(where.code, f"{ctx.root}/{where.path}/IdCodice", {"value": value.IdCodice})


def vat_number_check_digit(ctx: Context) -> Iterator[Finding]:
    """Italian P.IVA of supplier, fiscal representatives and customer (00301, 00303, 00305)."""
    for where in _identifiers(ctx)[VAT]:
        value = _at(ctx.document, where.path)
        if value is not None and value.IdPaese == "IT" and not _valid(iva, value.IdCodice):
            yield finding(where.code, f"{ctx.root}/{where.path}/IdCodice", {"value": value.IdCodice})


def fiscal_code_check_digit(ctx: Context) -> Iterator[Finding]:
    """Codice fiscale of supplier, representative and customer (00302, 00304, 00306)."""
    for where in _identifiers(ctx)[CF]:
        value = _at(ctx.document, where.path)
        if value is None:  # the usual case with a P.IVA: nothing to check, no id to look up
            continue
        beside = _at(ctx.document, where.vat_beside) if where.vat_beside else None
        if beside is not None and beside.IdPaese != "IT":
            continue
        if not _valid(codicefiscale, value):
            yield finding(where.code, f"{ctx.root}/{where.path}", {"value": value})


# --- transmission ----------------------------------------------------------------------------
def format_differs_from_version(ctx: Context) -> Iterator[Finding]:
    transmission = ctx.document.FatturaElettronicaHeader.DatiTrasmissione
    if transmission.FormatoTrasmissione != ctx.document.versione:
        path = f"{ctx.root}/FatturaElettronicaHeader/DatiTrasmissione/FormatoTrasmissione"
        params = {"format": transmission.FormatoTrasmissione, "version": ctx.document.versione}
        yield finding("00428", path, params)


def recipient_code_length(ctx: Context) -> Iterator[Finding]:
    """6 characters name a PA office (FPA12), 7 an SDI channel (FPR12, FSM10)."""
    transmission = ctx.document.FatturaElettronicaHeader.DatiTrasmissione
    expected = RECIPIENT_CODE_LENGTH[transmission.FormatoTrasmissione]
    if len(transmission.CodiceDestinatario) != expected:
        path = f"{ctx.root}/FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario"
        params = {"format": transmission.FormatoTrasmissione, "length": expected}
        yield finding("00427", path, params)


def abroad_code_for_resident(ctx: Context) -> Iterator[Finding]:
    """XXXXXXX is for customers identified by a foreign VAT id only (00313)."""
    transmission = ctx.document.FatturaElettronicaHeader.DatiTrasmissione
    buyer = ctx.customer
    if transmission.CodiceDestinatario == NO_CHANNEL_ABROAD and (buyer.vat is None or buyer.country == "IT"):
        path = f"{ctx.root}/FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario"
        yield finding("00313", path, {})


def sdi_mailbox_as_recipient(ctx: Context) -> Iterator[Finding]:
    """SDI's own PEC addresses cannot receive invoices (00330)."""
    pec = ctx.document.FatturaElettronicaHeader.DatiTrasmissione.PECDestinatario
    if pec and SDI_MAILBOX.search(pec.strip()):
        path = f"{ctx.root}/FatturaElettronicaHeader/DatiTrasmissione/PECDestinatario"
        yield finding("00330", path, {"value": pec})


# --- parties ---------------------------------------------------------------------------------
def customer_without_identifier(ctx: Context) -> Iterator[Finding]:
    buyer = ctx.customer
    if buyer.vat is None and not buyer.cf:
        yield finding("00417", buyer.path, {})


def both_parties_foreign(ctx: Context) -> Iterator[Finding]:
    """SDI carries invoices with at least one Italian party (00476)."""
    seller, buyer = ctx.supplier, ctx.customer
    if seller.country != "IT" and buyer.country != "IT":
        params = {"supplier": seller.country, "customer": buyer.country}
        yield finding("00476", f"{buyer.path}/IdFiscaleIVA/IdPaese", params)


RULES = (
    Rule(("00300",), transmitter_check_digit, ANY_FORMAT),
    Rule(("00301", "00303", "00305"), vat_number_check_digit, ANY_FORMAT),
    Rule(("00302", "00304", "00306"), fiscal_code_check_digit, ANY_FORMAT),
    Rule(("00313",), abroad_code_for_resident, ANY_FORMAT),
    Rule(("00330",), sdi_mailbox_as_recipient, ANY_FORMAT),
    Rule(("00417",), customer_without_identifier, ANY_FORMAT),
    Rule(("00427",), recipient_code_length, ANY_FORMAT),
    Rule(("00428",), format_differs_from_version, ANY_FORMAT),
    Rule(("00476",), both_parties_foreign, ANY_FORMAT),
)
