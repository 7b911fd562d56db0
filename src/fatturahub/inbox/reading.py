"""What a received file says, read the way SDI's recipients must: never refusing it. Pure.

    reading = read_received(content)   # bodies, supplier, recipient, signature, warnings

The file goes through the inbound normalizer in lenient mode (every .p7m form, base64, BOM,
windows-1252, odd namespaces); schema deviations become warnings. A signature is verified and
reported, but its failure never makes the file unreadable. Only bytes that hold no FatturaPA
document at all give `readable=False`, with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fatturahub import fatturapa
from fatturahub.fatturapa import p7m
from fatturahub.fatturapa.normalize import open_envelopes
from fatturahub.fatturapa.signature import SignatureReport, verify_cades, verify_xades
from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES, parse_xml
from fatturahub.inbox.states import SignatureStatus
from fatturahub.sdi.messages import parse_message


@dataclass(frozen=True)
class Party:
    """A supplier or recipient as the document names it (VAT groups: same P.IVA, other CF)."""

    vat_country: str | None = None
    vat_code: str | None = None
    codice_fiscale: str | None = None
    name: str | None = None

    @property
    def partita_iva(self) -> str | None:
        return f"{self.vat_country or ''}{self.vat_code}" if self.vat_code else None


@dataclass(frozen=True)
class Body:
    position: int  # 1..n within the file
    tipo_documento: str | None
    numero: str | None
    data: date | None
    divisa: str | None
    total: Decimal | None
    payment_terms: list[dict[str, Any]]


@dataclass
class FileReading:
    readable: bool
    problem: str | None = None
    format: str | None = None
    supplier: Party | None = None
    recipient: Party | None = None
    bodies: list[Body] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    envelopes: list[str] = field(default_factory=list)
    signature_status: SignatureStatus = SignatureStatus.UNSIGNED
    signature: dict[str, Any] | None = None


def read_received(content: bytes) -> FileReading:
    try:
        reading = fatturapa.read(content, lenient=True)
    except fatturapa.FatturaPAError as exc:
        status, report = _cades_of_unreadable(content)
        return FileReading(readable=False, problem=str(exc)[:500], signature_status=status, signature=report)
    except Exception as exc:
        return FileReading(readable=False, problem=f"unreadable: {exc}"[:500])
    document = reading.document
    status, report = _signature(content, reading)
    header = document.FatturaElettronicaHeader
    return FileReading(
        readable=True,
        format=reading.format,
        supplier=_supplier(document, header.CedentePrestatore),
        recipient=_recipient(document, header.CessionarioCommittente),
        bodies=[_body(i, body) for i, body in enumerate(document.FatturaElettronicaBody, start=1)],
        warnings=[issue.as_dict() for issue in reading.errors],
        repairs=list(reading.repairs),
        envelopes=list(reading.envelopes),
        signature_status=status,
        signature=report,
    )


# --- parties ----------------------------------------------------------------------------------
def _name(holder: Any) -> str | None:
    if holder is None:
        return None
    name = getattr(holder, "Denominazione", None) or " ".join(
        filter(None, [getattr(holder, "Nome", None), getattr(holder, "Cognome", None)])
    )
    return name[:200] if name else None


def _party(vat: Any, cf: str | None, name_holder: Any) -> Party:
    return Party(
        vat_country=getattr(vat, "IdPaese", None),
        vat_code=getattr(vat, "IdCodice", None),
        codice_fiscale=cf,
        name=_name(name_holder),
    )


def _supplier(document: fatturapa.Document, cedente: Any) -> Party:
    if isinstance(document, fatturapa.FatturaElettronicaSemplificata):
        return _party(cedente.IdFiscaleIVA, cedente.CodiceFiscale, cedente)
    dati = getattr(cedente, "DatiAnagrafici", None)
    return _party(
        getattr(dati, "IdFiscaleIVA", None),
        getattr(dati, "CodiceFiscale", None),
        getattr(dati, "Anagrafica", None),
    )


def _recipient(document: fatturapa.Document, cessionario: Any) -> Party:
    if isinstance(document, fatturapa.FatturaElettronicaSemplificata):
        ids = getattr(cessionario, "IdentificativiFiscali", None)
        return _party(
            getattr(ids, "IdFiscaleIVA", None),
            getattr(ids, "CodiceFiscale", None),
            getattr(cessionario, "AltriDatiIdentificativi", None),
        )
    dati = getattr(cessionario, "DatiAnagrafici", None)
    return _party(
        getattr(dati, "IdFiscaleIVA", None),
        getattr(dati, "CodiceFiscale", None),
        getattr(dati, "Anagrafica", None),
    )


# --- bodies -----------------------------------------------------------------------------------
def _body(position: int, body: Any) -> Body:
    general = getattr(getattr(body, "DatiGenerali", None), "DatiGeneraliDocumento", None)
    tipo = getattr(general, "TipoDocumento", None)
    return Body(
        position=position,
        tipo_documento=str(tipo) if tipo is not None else None,
        numero=(getattr(general, "Numero", None) or None),
        data=getattr(general, "Data", None),
        divisa=getattr(general, "Divisa", None),
        total=getattr(general, "ImportoTotaleDocumento", None),
        payment_terms=payment_terms(body),
    )


def payment_terms(body: Any) -> list[dict[str, Any]]:
    """Every DettaglioPagamento as its own instalment, in file order (never collapsed)."""
    terms = []
    for block in getattr(body, "DatiPagamento", None) or []:
        conditions = getattr(block, "CondizioniPagamento", None)
        for detail in block.DettaglioPagamento or []:
            terms.append(
                {
                    "condizioni": str(conditions) if conditions is not None else None,
                    "modalita": str(detail.ModalitaPagamento) if detail.ModalitaPagamento else None,
                    "data_riferimento": _iso(detail.DataRiferimentoTerminiPagamento),
                    "giorni": detail.GiorniTerminiPagamento,
                    "scadenza": _iso(detail.DataScadenzaPagamento),
                    "importo": str(detail.ImportoPagamento) if detail.ImportoPagamento is not None else None,
                    "beneficiario": detail.Beneficiario,
                    "istituto_finanziario": detail.IstitutoFinanziario,
                    "iban": detail.IBAN,
                    "codice_pagamento": detail.CodicePagamento,
                }
            )
    return terms


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- signatures -------------------------------------------------------------------------------
def _signature(content: bytes, reading: fatturapa.Reading) -> tuple[SignatureStatus, dict | None]:
    if "cades" in reading.envelopes:
        return _verified(lambda: verify_cades(content))
    if getattr(reading.document, "Signature", None):
        # verify the XML as it came out of its envelopes, before any lenient repair touched it
        return _verified(lambda: verify_xades(open_envelopes(content, max_bytes=DEFAULT_MAX_BYTES).xml))
    return SignatureStatus.UNSIGNED, None


def _cades_of_unreadable(content: bytes) -> tuple[SignatureStatus, dict | None]:
    if p7m.looks_like_cms(content):
        return _verified(lambda: verify_cades(content))
    return SignatureStatus.UNVERIFIABLE, None


def _verified(verify: Any) -> tuple[SignatureStatus, dict | None]:
    try:
        report: SignatureReport = verify()
    except Exception as exc:
        return SignatureStatus.UNVERIFIABLE, {"valid": False, "error": str(exc)[:500]}
    status = SignatureStatus.VALID if report.valid else SignatureStatus.INVALID
    return status, json.loads(json.dumps(report.as_dict(), default=str))


# --- the metadata file ------------------------------------------------------------------------
METADATA_FIELDS = (
    "IdentificativoSdI",
    "NomeFile",
    "CodiceDestinatario",
    "Formato",
    "TentativiInvio",
    "MessageId",
    "Note",
    "Hash",
)


def read_metadata(data: bytes) -> dict[str, Any]:
    """What MetadatiInvioFile (PA) / FileMetadati (B2B) says; read loosely when off-schema."""
    try:
        message = parse_message(data)
    except Exception as exc:
        return {**_loose_metadata(data), "warning": str(exc)[:300]}
    values = {name: getattr(message, name, None) for name in METADATA_FIELDS}
    return {name: str(value) for name, value in values.items() if value is not None}


def _loose_metadata(data: bytes) -> dict[str, Any]:
    try:
        root = parse_xml(data).getroot()
    except Exception:
        return {}
    found = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if name in METADATA_FIELDS and element.text and element.text.strip():
            found[name] = element.text.strip()
    return found
