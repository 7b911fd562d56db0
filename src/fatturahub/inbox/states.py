"""States of a received invoice and of the outcome (EsitoCommittente) a PA sends about it. Pure."""

from __future__ import annotations

from enum import StrEnum


class ReceivedState(StrEnum):
    NEW = "new"  # delivered, nobody looked at it yet
    READ = "read"  # opened by a user or marked read by the ERP
    ACCEPTED = "accepted"  # PA: EC01 taken by SDI (ES01)
    REFUSED = "refused"  # PA: EC02 taken by SDI (ES01)
    EXPIRED = "expired"  # PA: DT, 15 days passed without an outcome


OPEN = frozenset({ReceivedState.NEW, ReceivedState.READ})  # an outcome may still be given


class OutcomeState(StrEnum):
    QUEUED = "queued"  # built, stored, waiting for the worker
    SENT = "sent"  # SDI answered ES01
    REJECTED = "rejected"  # SDI answered ES00 with a ScartoEsitoCommittente
    FAILED = "failed"  # the channel could not be used or retries ran out


class SignatureStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # a signature that does not verify: the invoice is kept anyway
    UNSIGNED = "unsigned"
    UNVERIFIABLE = "unverifiable"  # present but unreadable (or the file itself is unreadable)
