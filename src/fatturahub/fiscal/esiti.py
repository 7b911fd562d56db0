"""EsitoFile: SDI's outcome of a Dati Fattura (ED), LIPE (EL) or archive (EF) file, schema
DatiFatturaMessaggi_v2.0.xsd (Specifiche tecniche notifiche di esito v1.0, Tabella 1).

    esito = parse(data)                         # validated, times in UTC
    data = build(esito, sign=sealer)            # the XML, signed by `sign`, validated
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from lxml import etree

from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fatturapa.xmlsafe import parse_xml

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/file/v2.0"
SCHEMA = "datifatture/DatiFatturaMessaggi_v2.0.xsd"
VERSION = "2.0"
ROME = ZoneInfo("Europe/Rome")
DESCRIPTION_LIMIT = 255  # String255Latin_Type
_NOT_LATIN = re.compile(r"[^\x20-\x7e\xa0-\xff]")


class Outcome(StrEnum):
    VALIDATED = "ES01"
    VALIDATED_WITH_WARNINGS = "ES02"
    REJECTED = "ES03"

    @property
    def accepted(self) -> bool:
        return self is not Outcome.REJECTED


@dataclass(frozen=True)
class OutcomeError:
    code: str
    description: str


@dataclass(frozen=True)
class EsitoFile:
    file_type: str  # DF, LI, FL, NA
    id_file: str  # IDFile: what a later ANN or Rettifica names
    file_name: str
    received_at: datetime  # aware, UTC
    outcome: Outcome
    errors: tuple[OutcomeError, ...]
    message_id: str
    archive_id: str | None = None  # RifArchivio, when the file came inside an FL archive
    archive_name: str | None = None
    pec_message_id: str | None = None
    note: str | None = None


def parse(data: bytes) -> EsitoFile:
    """An outcome file, validated against its schema (InvalidDocument if it breaks it)."""
    tree = parse_xml(data)
    if issues := validate(tree, schema(SCHEMA)):
        raise InvalidDocument(issues)
    root = tree.getroot()  # children are unqualified: the schema has no elementFormDefault
    return EsitoFile(
        file_type=root.findtext("TipoFile"),
        id_file=root.findtext("IDFile"),
        file_name=root.findtext("NomeFile"),
        received_at=_utc(root.findtext("DataOraRicezione")),
        outcome=Outcome(root.findtext("Esito")),
        errors=tuple(
            OutcomeError(e.findtext("Codice"), e.findtext("Descrizione"))
            for e in root.iterfind("ListaErrori/Errore")
        ),
        message_id=root.findtext("MessageID"),
        archive_id=root.findtext("RifArchivio/IDArchivio"),
        archive_name=root.findtext("RifArchivio/NomeArchivio"),
        pec_message_id=root.findtext("PECMessageID"),
        note=root.findtext("Note"),
    )


def build(esito: EsitoFile, *, sign: Callable[[bytes], bytes]) -> bytes:
    """The EsitoFile XML of `esito`, enveloped-signed by `sign` (the schema requires ds:Signature:
    e.g. `functools.partial(sign_xades, signer=...)`), then validated: InvalidDocument if it breaks
    the schema (a description that is not 1-255 Latin-1 characters: see `description`)."""
    root = etree.Element(f"{{{NAMESPACE}}}EsitoFile", nsmap={"ns2": NAMESPACE}, versione=VERSION)
    _add(root, "TipoFile", esito.file_type)
    _add(root, "IDFile", esito.id_file)
    _add(root, "NomeFile", esito.file_name)
    _add(root, "DataOraRicezione", _rome(esito.received_at))
    if esito.archive_id is not None or esito.archive_name is not None:
        archive = etree.SubElement(root, "RifArchivio")
        _add(archive, "IDArchivio", esito.archive_id or "")
        _add(archive, "NomeArchivio", esito.archive_name or "")
    _add(root, "Esito", esito.outcome.value)
    if esito.errors:
        errors = etree.SubElement(root, "ListaErrori")
        for error in esito.errors:
            element = etree.SubElement(errors, "Errore")
            _add(element, "Codice", error.code)
            _add(element, "Descrizione", error.description)
    _add(root, "MessageID", esito.message_id)
    if esito.pec_message_id is not None:
        _add(root, "PECMessageID", esito.pec_message_id)
    if esito.note is not None:
        _add(root, "Note", esito.note)
    signed = sign(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    if issues := validate(parse_xml(signed), schema(SCHEMA)):
        raise InvalidDocument(issues)
    return signed


def description(text: str) -> str:
    """`text` as an Errore/Descrizione may hold it: Latin-1 only (others become "?"), one line,
    1-255 characters."""
    line = _NOT_LATIN.sub("?", " ".join(text.split()))
    return (line or "-")[:DESCRIPTION_LIMIT]


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, name).text = text  # unqualified: the schema has no elementFormDefault


def _rome(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    return moment.astimezone(ROME).isoformat(timespec="milliseconds")


def _utc(text: str) -> datetime:
    """xsd:dateTime to aware UTC; SDI runs on Italian time, so one without an offset is Europe/Rome."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=ROME)).astimezone(UTC)
