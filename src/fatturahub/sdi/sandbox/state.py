"""What the sandbox remembers, in memory: the files it received and the notifications it sent
(active cycle), the invoices it delivered to a recipient and the outcomes it got (passive cycle)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from fatturahub.fatturapa.controls import DuplicateKey
from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.naming import NotificationType
from fatturahub.sdi.messages import EsitoCommittenteType, Flow, ScartoType

OUTCOME_TERM = timedelta(days=15)  # a PA's time to answer (EC) from delivery, before DT


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


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not taken in charge (ER01) yet: retrying
    DELIVERED = "delivered"  # ER01; a PA may still answer (EC)
    ACCEPTED = "accepted"  # EC01 taken by SDI (ES01): NE to the supplier
    REFUSED = "refused"  # EC02 taken by SDI (ES01): NE to the supplier
    TERMS_EXPIRED = "terms_expired"  # DT: 15 days without an accepted EC


@dataclass(frozen=True)
class ReceivedOutcome:
    """An EC the recipient sent on SdIRiceviNotifica, and SDI's answer to it."""

    file_name: str
    content: bytes
    received_at: datetime
    esito: EsitoCommittenteType | None  # None when the file could not be read
    answer: str  # ES00 or ES01
    scarto: ScartoType | None
    reason: str | None


@dataclass
class InvoiceDelivery:
    """A supplier's invoice file that SDI delivers to the recipient's RicezioneFatture."""

    identificativo_sdi: int
    file_name: str
    content: bytes
    metadata_file_name: str
    metadata: bytes
    format: str
    codice_destinatario: str
    created_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None  # when the recipient answered ER01 (virtual time)
    last_error: str | None = None
    outcome: EsitoCommittenteType | None = None  # the EC that SDI took for the whole file
    answered: set[tuple[str, int]] = field(default_factory=set)  # bodies of a lotto answered on their own
    terms_expired: bool = False
    outcomes: list[ReceivedOutcome] = field(default_factory=list)
    to_recipient: list[SentNotification] = field(default_factory=list)  # SE, DT
    to_supplier: list[SentNotification] = field(default_factory=list)  # NE, DT (recorded only)

    @property
    def status(self) -> DeliveryStatus:
        if self.terms_expired:
            return DeliveryStatus.TERMS_EXPIRED
        if self.outcome is not None:
            return (
                DeliveryStatus.ACCEPTED
                if self.outcome is EsitoCommittenteType.EC01
                else DeliveryStatus.REFUSED
            )
        return DeliveryStatus.PENDING if self.delivered_at is None else DeliveryStatus.DELIVERED

    @property
    def to_pa(self) -> bool:
        return self.format == "FPA12"

    @property
    def outcome_deadline(self) -> datetime | None:
        """When DT is due: 15 days after delivery to a PA that has not answered."""
        if not self.to_pa or self.status is not DeliveryStatus.DELIVERED:
            return None
        return self.delivered_at + OUTCOME_TERM

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def next_sequence(self) -> int:
        """The nnn of the next notification file about this invoice (both directions count)."""
        return len(self.to_recipient) + len(self.to_supplier) + 1
