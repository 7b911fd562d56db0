"""EsitoFile: SDI's outcome of a Dati Fattura (ED), LIPE (EL) or archive (EF) file, schema
DatiFatturaMessaggi_v2.0.xsd (Specifiche tecniche notifiche di esito v1.0, Tabella 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from fatturahub.fatturapa.issues import InvalidDocument
from fatturahub.fatturapa.schemas import schema, validate
from fatturahub.fatturapa.xmlsafe import parse_xml

NAMESPACE = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/file/v2.0"
SCHEMA = "datifatture/DatiFatturaMessaggi_v2.0.xsd"
ROME = ZoneInfo("Europe/Rome")


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


def _utc(text: str) -> datetime:
    """xsd:dateTime to aware UTC; SDI runs on Italian time, so one without an offset is Europe/Rome."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=ROME)).astimezone(UTC)
