"""The messages SDI exchanges with an invoice's recipient: the metadata file delivered with the
invoice (MT), the answer to the recipient's outcome (SE when refused), the NE forwarded to the
supplier, and DT after 15 days of silence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fatturahub.fatturapa import document
from fatturahub.fatturapa.issues import FatturaPAError
from fatturahub.fatturapa.naming import NotificationType
from fatturahub.sdi.messages import Message, ScartoType, b2b, build_message, pa, parse_message
from fatturahub.sdi.sandbox import notices
from fatturahub.sdi.sandbox.state import InvoiceDelivery

B2B_FORMATS = {"FPR12", "FSM10"}
FIRST_ATTEMPT = 1
NOTE_LIMIT = 255
TERMS_EXPIRED = "Decorsi 15 giorni dalla consegna senza esito del committente"
_EC_SUFFIX = re.compile(r"_EC_[A-Za-z0-9]{3}(\.xml)?$", re.IGNORECASE)


class UnreadableInvoice(ValueError):
    """A given file whose format or recipient code cannot be read (and were not given)."""


@dataclass(frozen=True)
class InvoiceFacts:
    """What the metadata file says about an invoice: its format and recipient code."""

    formato: str
    codice_destinatario: str


def invoice_facts(content: bytes) -> InvoiceFacts:
    """Read from the file itself, in any form SDI accepts (.p7m, base64, other encodings)."""
    try:
        reading = document.read(content, lenient=True)
    except FatturaPAError as exc:
        raise UnreadableInvoice(f"the file is not a readable FatturaPA invoice: {exc}") from None
    transmission = reading.document.FatturaElettronicaHeader.DatiTrasmissione
    return InvoiceFacts(reading.format, str(transmission.CodiceDestinatario))


def metadata(
    identificativo_sdi: int, file_name: str, content_hash: str, facts: InvoiceFacts, message_id: str
) -> tuple[str, bytes]:
    """The metadata file (name, unsigned XML): FileMetadati for B2B formats, else MetadatiInvioFile."""
    common = {
        "NomeFile": file_name,
        "CodiceDestinatario": facts.codice_destinatario,
        "Formato": facts.formato,
        "TentativiInvio": FIRST_ATTEMPT,
        "MessageId": message_id,
    }
    message: Message = (  # the B2B schema types IdentificativoSdI as a string
        b2b.FileMetadati(IdentificativoSdI=str(identificativo_sdi), Hash=content_hash, **common)
        if facts.formato in B2B_FORMATS
        else pa.MetadatiInvioFile(IdentificativoSdI=identificativo_sdi, **common)
    )
    return notices.file_name(file_name, NotificationType.MT, 1), build_message(message)


def read_outcome(content: bytes) -> pa.NotificaEsitoCommittente:
    """The recipient's EC, valid for its schema; ValueError says why not (the SE's EN00)."""
    try:
        message = parse_message(content)
    except FatturaPAError as exc:
        raise ValueError(f"not a valid NotificaEsitoCommittente: {exc}") from None
    if not isinstance(message, pa.NotificaEsitoCommittente):
        raise ValueError(f"expected NotificaEsitoCommittente, got {type(message).__name__}")
    return message


def scarto(
    identificativo_sdi: int,
    outcome: pa.NotificaEsitoCommittente | None,
    code: ScartoType,
    reason: str,
    message_id: str,
) -> pa.ScartoEsitoCommittente:
    return pa.ScartoEsitoCommittente(
        IdentificativoSdI=identificativo_sdi,
        RiferimentoFattura=outcome.RiferimentoFattura if outcome else None,
        Scarto=code,
        MessageId=message_id,
        MessageIdCommittente=outcome.MessageIdCommittente if outcome else None,
        Note=reason[:NOTE_LIMIT],
    )


def scarto_file_name(delivery: InvoiceDelivery | None, outcome_file_name: str) -> str:
    """Named after the invoice; for an unknown invoice, after the EC's own name."""
    if delivery is not None:
        return notices.file_name(delivery.file_name, NotificationType.SE, delivery.next_sequence())
    invoice_name = _EC_SUFFIX.sub("", outcome_file_name) + ".xml"
    return notices.file_name(invoice_name, NotificationType.SE, 1)


def supplier_outcome(
    delivery: InvoiceDelivery, outcome: pa.NotificaEsitoCommittente, message_id: str
) -> pa.NotificaEsito:
    """The NE that forwards the recipient's EC to the supplier (the recipient's signature stays
    with the EC file; the NE is signed by SDI)."""
    return pa.NotificaEsito(
        IdentificativoSdI=delivery.identificativo_sdi,
        NomeFile=delivery.file_name,
        EsitoCommittente=outcome.model_copy(update={"Signature": None}),
        MessageId=message_id,
    )


def terms_expired(delivery: InvoiceDelivery, message_id: str) -> pa.NotificaDecorrenzaTermini:
    return pa.NotificaDecorrenzaTermini(
        IdentificativoSdI=delivery.identificativo_sdi,
        NomeFile=delivery.file_name,
        Descrizione=TERMS_EXPIRED,
        MessageId=message_id,
    )
