"""What every SDI channel offers: submit one file, get SDI's acceptance or a clear reason why not;
send a PA recipient's outcome (EC) on a received invoice, get SDI's answer (ES00/ES01/ES02)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

FILE_NAME = re.compile(r"[a-zA-Z0-9_.]{9,50}")  # NomeFile in the SDICoop types XSD
SERVICE_UNAVAILABLE = "EI02"


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


class ChannelError(Exception):
    """A submission that did not end with an acceptance."""


class Refused(ChannelError):
    """SDI answered but did not take the file (EI01 empty file, EI02 unavailable, EI03 not enabled)."""

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
