"""The notifications SDI sends the sender, for both flows: the message, its file name, its
signature, and the TrasmissioneFatture operation that carries it."""

from __future__ import annotations

import re
from datetime import datetime

from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.naming import InvalidFileName, NotificationType
from fatturahub.fatturapa.signature import Signer
from fatturahub.sdi.messages import EsitoCommittenteType, Flow, Message, b2b, build_message, pa
from fatturahub.sdi.messages import notification_file_name as official_name
from fatturahub.sdi.sandbox.sealing import Sealer
from fatturahub.sdi.sandbox.state import ReceivedFile

OPERATIONS = {
    NotificationType.RC: "RicevutaConsegna",
    NotificationType.NS: "NotificaScarto",
    NotificationType.MC: "NotificaMancataConsegna",
    NotificationType.NE: "NotificaEsito",
    NotificationType.DT: "NotificaDecorrenzaTermini",
    NotificationType.AT: "AttestazioneTrasmissioneFattura",
}
SOAP_ACTION = "http://www.fatturapa.it/TrasmissioneFatture/{operation}"
RECIPIENT = "Destinatario simulato dalla sandbox FatturaHub"
NOT_DELIVERED = "Il canale del destinatario {code} non è raggiungibile (simulato dalla sandbox)"
TERMS_EXPIRED = "Decorsi 15 giorni dalla consegna senza esito del committente"
SUGGESTION = "Correggere il file e inviarlo di nuovo con un nuovo nome file"
PA_TEXT_LIMIT = 255
B2B_TEXT_LIMIT = 1000


def operation(type_code: NotificationType) -> str:
    return OPERATIONS[type_code]


def body_element_name(type_code: NotificationType) -> str:
    """The TrasmissioneFatture body element: the operation name, lower camel case."""
    name = OPERATIONS[type_code]
    return name[0].lower() + name[1:]


def file_name(invoice_file_name: str, type_code: NotificationType, sequence: int) -> str:
    """SDI's name for the notification; for an invoice name SDI refused (00001) there is no
    official form, so the name is made the same way from whatever precedes its first dot."""
    try:
        return official_name(invoice_file_name, type_code, sequence)
    except InvalidFileName:
        stem = re.sub(r"[^A-Za-z0-9_]", "", invoice_file_name.split(".")[0])[:36] or "file"
        return f"{stem}_{type_code}_{sequence:03d}.xml"


def seal(message: Message, signer: Signer | Sealer) -> bytes:
    """The XML file of `message`, XAdES-signed like SDI's. The signing time is real time, not
    the virtual clock: a signature dated in the future fails every verifier (00105). Pass the
    sandbox's `Sealer` (its parts prepared once) rather than a bare `Signer` when sealing many."""
    return build_message(message, sign=signer if isinstance(signer, Sealer) else Sealer(signer))


def rejection(file: ReceivedFile, message_id: str) -> Message:
    if file.flow is Flow.B2B:
        errors = [_b2b_error(issue) for issue in file.errors]
        return b2b.RicevutaScarto(
            IdentificativoSdI=str(file.identificativo_sdi),
            NomeFile=file.file_name,
            Hash=file.hash,
            DataOraRicezione=file.received_at,
            ListaErrori=b2b.ListaErroriType(Errore=errors),
            MessageId=message_id,
        )
    errors = [pa.ErroreType(Codice=i.code, Descrizione=_text(i, PA_TEXT_LIMIT)) for i in file.errors]
    return pa.NotificaScarto(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        DataOraRicezione=file.received_at,
        ListaErrori=pa.ListaErroriType(Errore=errors),
        MessageId=message_id,
    )


def delivery_receipt(file: ReceivedFile, delivered_at: datetime, message_id: str) -> Message:
    if file.flow is Flow.B2B:
        return b2b.RicevutaConsegna(
            IdentificativoSdI=str(file.identificativo_sdi),
            NomeFile=file.file_name,
            Hash=file.hash,
            DataOraRicezione=file.received_at,
            DataOraConsegna=delivered_at,
            Destinatario=b2b.DestinatarioType(Codice=file.codice_destinatario, Descrizione=RECIPIENT),
            MessageId=message_id,
        )
    return pa.RicevutaConsegna(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        DataOraRicezione=file.received_at,
        DataOraConsegna=delivered_at,
        Destinatario=_pa_recipient(file),
        MessageId=message_id,
    )


def non_delivery(file: ReceivedFile, now: datetime, message_id: str) -> Message:
    description = NOT_DELIVERED.format(code=file.codice_destinatario)
    if file.flow is Flow.B2B:
        return b2b.RicevutaImpossibilitaRecapito(
            IdentificativoSdI=str(file.identificativo_sdi),
            NomeFile=file.file_name,
            Hash=file.hash,
            DataOraRicezione=file.received_at,
            DataMessaADisposizione=now.date(),
            Descrizione=description,
            MessageId=message_id,
        )
    return pa.NotificaMancataConsegna(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        DataOraRicezione=file.received_at,
        Descrizione=description,
        MessageId=message_id,
    )


def outcome(
    file: ReceivedFile, esito: EsitoCommittenteType, description: str | None, message_id: str
) -> Message:
    """The simulated PA's EsitoCommittente, forwarded to the sender (NE)."""
    answer = pa.NotificaEsitoCommittente(
        IdentificativoSdI=file.identificativo_sdi, Esito=esito, Descrizione=description
    )
    return pa.NotificaEsito(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        EsitoCommittente=answer,
        MessageId=message_id,
    )


def terms_expired(file: ReceivedFile, message_id: str) -> Message:
    return pa.NotificaDecorrenzaTermini(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        Descrizione=TERMS_EXPIRED,
        MessageId=message_id,
    )


def attestation(file: ReceivedFile, message_id: str) -> Message:
    return pa.AttestazioneTrasmissioneFattura(
        IdentificativoSdI=file.identificativo_sdi,
        NomeFile=file.file_name,
        DataOraRicezione=file.received_at,
        Destinatario=_pa_recipient(file),
        MessageId=message_id,
        HashFileOriginale=file.hash,
    )


def _pa_recipient(file: ReceivedFile) -> pa.DestinatarioType:
    return pa.DestinatarioType(Codice=file.codice_destinatario, Descrizione=RECIPIENT)


def _b2b_error(issue: Issue) -> b2b.ErroreType:
    suggestion = f"Verificare {issue.path}" if issue.path else SUGGESTION
    return b2b.ErroreType(
        Codice=issue.code, Descrizione=_text(issue, B2B_TEXT_LIMIT), Suggerimento=suggestion[:2000]
    )


def _text(issue: Issue, limit: int) -> str:
    text = f"{issue.message} ({issue.path})" if issue.path else issue.message
    return text if len(text) <= limit else text[: limit - 1] + "…"
