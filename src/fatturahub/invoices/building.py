"""Turning what an ERP sends into a complete FatturaPA document.

From JSON (the FatturaPA structure), whatever the ERP leaves out is filled in: the transmission
data and the CedentePrestatore from the company profile, TipoDocumento/Divisa/Data defaults, the
Numero from the company's series, DatiRiepilogo and ImportoTotaleDocumento from the totals
engine. What the ERP gives is kept as given (and then checked, never overwritten).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from pydantic import ValidationError

from fatturahub.errors import InvalidInput
from fatturahub.fatturapa import FatturaElettronica
from fatturahub.fatturapa.totals import fill_invoice_totals
from fatturahub.tenancy.models import Company

ROOT = "/FatturaElettronica"
PROGRESSIVO_PLACEHOLDER = "00000"  # replaced by the file's progressive when the name is reserved

NumberFor = Callable[[date], Awaitable[str]]


def transmitter_code(company: Company) -> str:
    return company.codice_fiscale or company.partita_iva or ""


def cedente(company: Company) -> dict[str, Any]:
    """CedentePrestatore from the company profile, in the FatturaPA JSON form."""
    anagrafica = (
        {"Denominazione": company.denominazione}
        if company.denominazione
        else {"Nome": company.nome, "Cognome": company.cognome}
    )
    # key order is free: the model (and so the XML) follows the schema's order
    dati: dict[str, Any] = {"Anagrafica": anagrafica, "RegimeFiscale": company.regime_fiscale}
    if company.partita_iva:
        dati["IdFiscaleIVA"] = {"IdPaese": "IT", "IdCodice": company.partita_iva}
    if company.codice_fiscale:
        dati["CodiceFiscale"] = company.codice_fiscale
    block: dict[str, Any] = {"DatiAnagrafici": dati, "Sede": _present(company.sede)}
    if company.rea:
        block["IscrizioneREA"] = _present(company.rea)
    if company.contacts:
        block["Contatti"] = _present(company.contacts)
    return block


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


async def from_json(raw: Any, company: Company, *, today: date, number_for: NumberFor) -> FatturaElettronica:
    """A complete ordinaria document from the ERP's (possibly partial) JSON."""
    if not isinstance(raw, dict):
        raise _not_an_object(ROOT)
    raw = copy.deepcopy(raw)
    header = _object(raw, "FatturaElettronicaHeader", ROOT)
    transmission = _object(header, "DatiTrasmissione", f"{ROOT}/FatturaElettronicaHeader")
    transmission.setdefault("IdTrasmittente", {"IdPaese": "IT", "IdCodice": transmitter_code(company)})
    transmission.setdefault("ProgressivoInvio", PROGRESSIVO_PLACEHOLDER)
    transmission.setdefault("CodiceDestinatario", "0000000")
    default_format = "FPA12" if len(str(transmission["CodiceDestinatario"])) == 6 else "FPR12"
    transmission.setdefault("FormatoTrasmissione", raw.get("versione", default_format))
    raw.setdefault("versione", transmission["FormatoTrasmissione"])
    header.setdefault("CedentePrestatore", cedente(company))
    bodies = raw.get("FatturaElettronicaBody")
    raw["FatturaElettronicaBody"] = bodies if isinstance(bodies, list) else [bodies or {}]
    for number, body in enumerate(raw["FatturaElettronicaBody"], start=1):
        await _fill_general(body, f"{ROOT}/FatturaElettronicaBody[{number}]", today, number_for)
    try:
        return fill_invoice_totals(raw)
    except ValidationError as exc:
        raise InvalidInput(
            "the invoice does not have the FatturaPA structure",
            errors=[{"path": _path(e["loc"]), "message": e["msg"], "code": "00200"} for e in exc.errors()],
        ) from None


async def _fill_general(body: Any, path: str, today: date, number_for: NumberFor) -> None:
    if not isinstance(body, dict):
        raise _not_an_object(path)
    general = _object(_object(body, "DatiGenerali", path), "DatiGeneraliDocumento", f"{path}/DatiGenerali")
    general.setdefault("TipoDocumento", "TD01")
    general.setdefault("Divisa", "EUR")
    general.setdefault("Data", today.isoformat())
    if "Numero" not in general:
        try:
            issued = date.fromisoformat(str(general["Data"]))
        except ValueError:
            return  # the model validation reports the date
        general["Numero"] = await number_for(issued)


def _object(parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """`parent[key]`, created empty when absent; anything but a JSON object is refused."""
    value = parent.setdefault(key, {})
    if not isinstance(value, dict):
        raise _not_an_object(f"{path}/{key}")
    return value


def _not_an_object(path: str) -> InvalidInput:
    return InvalidInput(
        "the invoice does not have the FatturaPA structure",
        errors=[{"path": path, "message": "must be a JSON object", "code": "00200"}],
    )


def _path(location: tuple[Any, ...]) -> str:
    path = ROOT
    for step in location:
        path += f"[{step + 1}]" if isinstance(step, int) else f"/{step}"
    return path
