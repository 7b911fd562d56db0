"""Messages of the B2B flow, schema MessaggiFatturaTypes_v1.0.xsd
(namespace `…/docs/xsd/fattura/messaggi/v1.0`): the receipts for invoices to private parties.

Same conventions as the PA module. Differences from the PA flow that the types mirror: every
message carries the invoice's `Hash`, IdentificativoSdI and MessageId are strings of up to 36
characters, Errore has a `Suggerimento`, and there is no outcome cycle (no EC, NE, DT, AT, SE).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from fatturahub.sdi.messages.base import (
    CodiceDestinatarioType,
    Data,
    DataOra,
    Element,
    Flow,
    FormatoType,
    Message,
    NomeFileType,
    NotificationType,
    Si,
    Versione,
)

IdentificativoSdIType = Annotated[str, Field(min_length=1, max_length=36)]
MessageIdType = Annotated[str, Field(min_length=1, max_length=36)]
DescrizioneType = Annotated[str, Field(max_length=1000)]


class RiferimentoArchivioType(Element):
    """The archive (zip) the invoice arrived in."""

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType


class DestinatarioType(Element):
    Codice: CodiceDestinatarioType
    Descrizione: str | None = None


class ErroreType(Element):
    Codice: Annotated[str, Field(min_length=1, max_length=5)]
    Descrizione: DescrizioneType
    Suggerimento: Annotated[str, Field(max_length=2000)]


class ListaErroriType(Element):
    Errore: Annotated[list[ErroreType], Field(min_length=1, max_length=200)]


class _B2BMessage(Message):
    FLOW: ClassVar[Flow] = Flow.B2B


class _SignedBySDI(_B2BMessage):
    SIGNATURE_REQUIRED: ClassVar[bool] = True


class RicevutaConsegna(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.RC

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    Hash: str
    DataOraRicezione: DataOra
    DataOraConsegna: DataOra
    Destinatario: DestinatarioType
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"
    FlussoSemplificato: Si = None


class RicevutaScarto(_SignedBySDI):
    TYPE_CODE: ClassVar[NotificationType] = NotificationType.NS

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    Hash: str
    DataOraRicezione: DataOra
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    ListaErrori: ListaErroriType
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class RicevutaImpossibilitaRecapito(_SignedBySDI):
    """Not an error: the invoice is issued and waits in the customer's reserved area."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.MC

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    Hash: str
    DataOraRicezione: DataOra
    DataMessaADisposizione: Data
    RiferimentoArchivio: RiferimentoArchivioType | None = None
    Descrizione: DescrizioneType | None = None
    MessageId: MessageIdType
    PecMessageId: str | None = None
    Note: str | None = None
    Signature: str | None = None
    versione: Versione = "1.0"


class FileMetadati(_B2BMessage):
    """Sent unsigned to the recipient together with the invoice."""

    TYPE_CODE: ClassVar[NotificationType] = NotificationType.MT

    IdentificativoSdI: IdentificativoSdIType
    NomeFile: NomeFileType
    Hash: str
    CodiceDestinatario: CodiceDestinatarioType
    Formato: FormatoType
    TentativiInvio: int
    MessageId: MessageIdType
    Note: str | None = None
    versione: Versione = "1.0"


MESSAGES: tuple[type[Message], ...] = (
    RicevutaConsegna,
    RicevutaScarto,
    RicevutaImpossibilitaRecapito,
    FileMetadati,
)
