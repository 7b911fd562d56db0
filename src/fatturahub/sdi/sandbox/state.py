"""What the sandbox remembers, in memory: the files it received and the notifications it sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fatturahub.fatturapa.controls import DuplicateKey
from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.naming import NotificationType
from fatturahub.sdi.messages import Flow


class FileStatus(StrEnum):
    RECEIVED = "received"  # answered, not processed yet
    REJECTED = "rejected"  # NS
    DELIVERED = "delivered"  # RC; a PA may still answer
    NOT_DELIVERED = "not_delivered"  # MC; final for B2B (the invoice is in the reserved area)
    ACCEPTED = "accepted"  # NE EC01
    REFUSED = "refused"  # NE EC02
    TERMS_EXPIRED = "terms_expired"  # DT: 15 days without the PA's outcome
    ATTESTED = "attested"  # AT: 10 days after MC to a PA
    FAILED = "failed"  # the sandbox itself failed on the file (its log says why); nothing is sent


@dataclass
class SentNotification:
    type: NotificationType
    file_name: str
    message_id: str
    created_at: datetime
    content: bytes
    delivered_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class Deadline:
    """A notification SDI owes unless something happens first (DT, AT)."""

    at: datetime
    type: NotificationType


@dataclass
class ReceivedFile:
    identificativo_sdi: int
    file_name: str
    content: bytes
    received_at: datetime
    status: FileStatus = FileStatus.RECEIVED
    flow: Flow = Flow.PA
    format: str | None = None
    codice_destinatario: str | None = None
    errors: list[Issue] = field(default_factory=list)
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    deadline: Deadline | None = None
    notifications: list[SentNotification] = field(default_factory=list)

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of the file as received: the Hash of B2B receipts, HashFileOriginale of AT."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def counts_for_duplicates(self) -> bool:
        """SDI's 00404 compares with invoices neither rejected nor refused by the PA."""
        return self.status not in (FileStatus.RECEIVED, FileStatus.REJECTED, FileStatus.REFUSED)
