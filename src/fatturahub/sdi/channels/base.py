"""What every SDI channel offers: submit one file, get SDI's acceptance or a clear reason why not;
send a PA recipient's outcome (EC) on a received invoice, get SDI's answer (ES00/ES01/ES02);
transmit a Comunicazioni finanziarie file (LIPE, Dati Fattura) to the Agenzia's Sistema Ricevente
(SdITrasmissioneFile v2.0) and ask for its outcome (SF01/SF02/SF03 with the EsitoFile)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FILE_NAME = re.compile(r"[a-zA-Z0-9_.]{9,50}")  # NomeFile in the SDICoop types XSD
SERVICE_UNAVAILABLE = "EI02"
DATA_FILE_TYPES = frozenset({"LI", "DF", "FL"})  # TipoFile: LIPE, Dati Fattura, archive of LIPE files
DATA_FILE_STATES = frozenset({"SF01", "SF02", "SF03"})


@dataclass(frozen=True)
class Submission:
    """An invoice file (or archive) as SDI will receive it, under its reserved name."""

    file_name: str
    content: bytes

    def __post_init__(self) -> None:
        if not FILE_NAME.fullmatch(self.file_name):
            raise ValueError(f"file name {self.file_name!r} is not 9-50 characters of [a-zA-Z0-9_.]")


@dataclass(frozen=True)
class Acceptance:
    """SDI took the file: its IdentificativoSdI and when SDI received it (UTC)."""

    identificativo_sdi: str
    received_at: datetime

    def __post_init__(self) -> None:
        if self.received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")


@dataclass(frozen=True)
class OutcomeSubmission:
    """A recipient's outcome (NotificaEsitoCommittente, EC) on an invoice file SDI delivered."""

    file_name: str  # the EC file name
    identificativo_sdi: str  # of the received invoice file
    content: bytes  # the NotificaEsitoCommittente file

    def __post_init__(self) -> None:
        if not FILE_NAME.fullmatch(self.file_name):
            raise ValueError(f"file name {self.file_name!r} is not 9-50 characters of [a-zA-Z0-9_.]")


@dataclass(frozen=True)
class OutcomeAnswer:
    """SDI's answer to an outcome: whether it took it, and why not (the SE file) when it did not."""

    esito: str  # "ES00" not accepted (SE attached) | "ES01" accepted | "ES02" service unavailable
    scarto_file_name: str | None
    scarto: bytes | None  # the ScartoEsitoCommittente file, verbatim, when ES00


@dataclass(frozen=True)
class DataFileSubmission:
    """A LIPE or Dati Fattura file (or an FL archive) as the Sistema Ricevente will receive it.

    Whether `tipo_file` fits the name is the Sistema Ricevente's check (Errore EI04), not ours."""

    file_name: str  # IT<CF>_LI_xxxxx.xml[.p7m] / _DF_ / _FL_ .zip
    tipo_file: str  # "LI" | "DF" | "FL"
    content: bytes

    def __post_init__(self) -> None:
        if not FILE_NAME.fullmatch(self.file_name):
            raise ValueError(f"file name {self.file_name!r} is not 9-50 characters of [a-zA-Z0-9_.]")
        if self.tipo_file not in DATA_FILE_TYPES:
            raise ValueError(
                f"tipo_file {self.tipo_file!r} is not one of {', '.join(sorted(DATA_FILE_TYPES))}"
            )


@dataclass(frozen=True)
class DataFileReceipt:
    """The Sistema Ricevente took the file: its IDFile (what Esito, ANN and Rettifica name)."""

    id_file: str
    received_at: datetime  # aware UTC

    def __post_init__(self) -> None:
        if self.received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")


@dataclass(frozen=True)
class DataFileOutcome:
    """Where a transmitted file stands: SF01 still processing (ask again later), SF02 processed
    (the EsitoFile says ES01 validated, ES02 with warnings, ES03 rejected), SF03 not processable."""

    state: str  # "SF01" processing | "SF02" processed | "SF03" error
    esito_file_name: str | None
    esito: bytes | None  # the EsitoFile XML, verbatim


class ChannelError(Exception):
    """A submission that did not end with an acceptance."""


class Refused(ChannelError):
    """SDI answered but did not take the file (EI01 empty file, EI02 unavailable, EI03 not enabled;
    for data files also EI04 wrong TipoFile, and EE02 user not enabled on Esito)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    @property
    def retryable(self) -> bool:
        """Only "servizio non disponibile" goes away by itself; the others need a human."""
        return self.code == SERVICE_UNAVAILABLE


class TransportError(ChannelError):
    """No usable answer (timeout, connection or TLS failure, HTTP error, SOAP fault): the outcome is
    unknown, so retry with the SAME file name, which SDI refuses as a duplicate if it already has it."""


class ChannelConfigurationError(ValueError):
    """Channel settings that cannot work (missing, unknown or unreadable); fix them, don't retry."""


class Channel(Protocol):
    async def submit(self, submission: Submission) -> Acceptance: ...
    async def send_outcome(self, outcome: OutcomeSubmission) -> OutcomeAnswer: ...
    async def transmit_file(self, submission: DataFileSubmission) -> DataFileReceipt: ...
    async def file_outcome(self, id_file: str) -> DataFileOutcome: ...
