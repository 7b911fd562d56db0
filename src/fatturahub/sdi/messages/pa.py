"""Messages of the PA flow, schema MessaggiTypes_v1.1.xsd (namespace `…/sdi/messaggi/v1.0`).

Class and field names are the schema's element names, fields in schema order (the XML order).
`Signature` is the enveloped ds:Signature kept as XML text; SDI signs every message it sends,
so it is required in the schema but optional here, to let a builder produce the unsigned form.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from fatturahub.sdi.messages.base import (
    CodiceDestinatarioType,
    DataOra,
    Element,
    EsitoCommittenteType,
    Flow,
    FormatoType,
    Message,
    NomeFileType,
    NotificationType,
    ScartoType,
    Si,
    Versione,
)

IdentificativoSdIType = Annotated[int, Field(ge=0, lt=10**12)]  # xs:integer, 12 digits
MessageIdType = Annotated[str, Field(min_length=1, max_length=14)]
DescrizioneType = Annotated[str, Field(max_length=255)]


class RiferimentoArchivioType(Element):
    """The archive (zip) the invoice arrived in."""

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType


class DestinatarioType(Element):
    Codice: CodiceDestinatarioType
    Descrizione: str


class ErroreType(Element):
    Codice: Annotated[str, Field(min_length=5, max_length=5)]
    Descrizione: DescrizioneType


class ListaErroriType(Element):
    Errore: Annotated[list[ErroreType], Field(min_length=1, max_length=200)]


class RiferimentoFatturaType(Element):
    """One body of a multi-invoice file ("lotto")."""

    NumeroFattura: Annotated[str, Field(pattern=r"^[\x00-\x7f]{1,20}$")]
    AnnoFattura: Annotated[int, Field(ge=0)]
    PosizioneFattura: Annotated[int, Field(ge=1)] | None = None


class _PAMessage(Message):
    FLOW: ClassVar[Flow] = Flow.PA


class _SignedBySDI(_PAMessage):
    SIGNATURE_REQUIRED: ClassVar[bool] = True


class RicevutaConsegna(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.RC

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    DataOraRicezione: DataOra
    DataOraConsegna: DataOra
    Destinatario: DestinatarioType
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"
    IntermediarioConDupliceRuolo: Si = None


class NotificaScarto(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.NS

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    DataOraRicezione: DataOra
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    ListaErrori: ListaErroriType
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class NotificaMancataConsegna(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.MC

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    DataOraRicezione: DataOra
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    Descrizione: DescrizioneType | None = None
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class NotificaEsitoCommittente(_PAMessage):
    """The PA's acceptance (EC01) or refusal (EC02); the PA may sign it, SDI does not require it."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.EC

    IdentificativoSdI: IdentificativoSdIType
    RiferimentoFattura: RiferimentoFatturaType | None = None
    Esito: EsitoCommittenteType
    Descrizione: DescrizioneType | None = None
    MessageIdCommittente: MessageIdType | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class NotificaEsito(_SignedBySDI):
    """The PA's EsitoCommittente, forwarded by SDI to the sender."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.NE

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    EsitoCommittente: NotificaEsitoCommittente
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"
    IntermediarioConDupliceRuolo: Si = None


class AttestazioneTrasmissioneFattura(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.AT

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    DataOraRicezione: DataOra
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    Destinatario: DestinatarioType
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    HashFileOriginale: str
    Signature: str | None = None
    versione: Versione = "1.0"


class MetadatiInvioFile(_PAMessage):
    """Sent unsigned to the recipient together with the invoice."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.MT

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    CodiceDestinatario: CodiceDestinatarioType
    Formato: FormatoType
    TentativiInvio: int
    MessageId: MessageIdType
    Note: str | None = None
    versione: Versione = "1.0"


class ScartoEsitoCommittente(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.SE

    IdentificativoSdI: IdentificativoSdIType
    RiferimentoFattura: RiferimentoFatturaType | None = None
    Scarto: ScartoType
    MessageId: MessageIdType
    MessageIdCommittente: MessageIdType | None = None
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class NotificaDecorrenzaTermini(_SignedBySDI):
    """Sent to both sides when the PA let 15 days pass without an EsitoCommittente."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.DT

    IdentificativoSdI: IdentificativoSdIType
    RiferimentoFattura: RiferimentoFatturaType | None = None
    NomeFile: NomeFileType
    Descrizione: DescrizioneType | None = None
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"
    IntermediarioConDupliceRuolo: Si = None


MESSAGES: tuple[type[Message], ...] = (
    RicevutaConsegna,
    NotificaScarto,
    NotificaMancataConsegna,
    NotificaEsito,
    AttestazioneTrasmissioneFattura,
    MetadatiInvioFile,
    NotificaEsitoCommittente,
    ScartoEsitoCommittente,
    NotificaDecorrenzaTermini,
)
