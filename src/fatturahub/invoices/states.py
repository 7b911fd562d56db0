"""The state of a sent invoice, moved only forward by what SDI says (FACTS.md §3.3).

Pure: no I/O. Duplicate and out-of-order notifications never move an invoice backwards: each
notification names the states it may move an invoice from, and anything else is ignored (the
notification itself is still kept).
"""

from __future__ import annotations

from enum import StrEnum


class InvoiceState(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"  # file name reserved, waiting for a worker
    SENDING = "sending"  # handed to the channel
    SENT = "sent"  # SDI took it (IdentificativoSdI)
    REJECTED = "rejected"  # NS: not issued; correct and send again
    DELIVERED = "delivered"  # RC
    NOT_DELIVERED = "not_delivered"  # MC: for B2B final and valid (in the customer's reserved area)
    ACCEPTED = "accepted"  # NE EC01 (PA)
    REFUSED = "refused"  # NE EC02 (PA)
    EXPIRED = "expired"  # DT: 15 days without the PA's outcome (PA)
    UNDELIVERABLE = "undeliverable"  # AT: deliver to the PA by other means (PA)
    FAILED = "failed"  # the upload was refused (EI01, EI03) or retries ran out
    IMPORTED = "imported"  # history issued before FatturaHub: not sent by us, never moved


IN_FLIGHT = frozenset({InvoiceState.QUEUED, InvoiceState.SENDING, InvoiceState.SENT})
FINAL = frozenset(
    {
        InvoiceState.REJECTED,
        InvoiceState.ACCEPTED,
        InvoiceState.REFUSED,
        InvoiceState.EXPIRED,
        InvoiceState.UNDELIVERABLE,
        InvoiceState.FAILED,
        InvoiceState.IMPORTED,
    }
)
# States whose invoice counts for SDI's duplicate check (00404): all but the not-issued ones.
COUNTS_AS_ISSUED = frozenset(InvoiceState) - {
    InvoiceState.DRAFT,
    InvoiceState.REJECTED,
    InvoiceState.REFUSED,
    InvoiceState.FAILED,
}


class Outcome(StrEnum):
    """What a notification says, as far as the invoice's state is concerned."""

    DELIVERED = "RC"
    REJECTED = "NS"
    NOT_DELIVERED = "MC"
    ACCEPTED = "NE/EC01"
    REFUSED = "NE/EC02"
    EXPIRED = "DT"
    UNDELIVERABLE = "AT"


_PRE_DELIVERY = IN_FLIGHT
_TRANSITIONS: dict[Outcome, tuple[frozenset[InvoiceState], InvoiceState]] = {
    Outcome.REJECTED: (_PRE_DELIVERY, InvoiceState.REJECTED),
    Outcome.NOT_DELIVERED: (_PRE_DELIVERY, InvoiceState.NOT_DELIVERED),
    Outcome.DELIVERED: (_PRE_DELIVERY | {InvoiceState.NOT_DELIVERED}, InvoiceState.DELIVERED),
    Outcome.ACCEPTED: (
        _PRE_DELIVERY | {InvoiceState.DELIVERED, InvoiceState.NOT_DELIVERED},
        InvoiceState.ACCEPTED,
    ),
    Outcome.REFUSED: (
        _PRE_DELIVERY | {InvoiceState.DELIVERED, InvoiceState.NOT_DELIVERED},
        InvoiceState.REFUSED,
    ),
    Outcome.EXPIRED: (
        _PRE_DELIVERY | {InvoiceState.DELIVERED, InvoiceState.NOT_DELIVERED},
        InvoiceState.EXPIRED,
    ),
    Outcome.UNDELIVERABLE: (_PRE_DELIVERY | {InvoiceState.NOT_DELIVERED}, InvoiceState.UNDELIVERABLE),
}


def after(state: InvoiceState, outcome: Outcome) -> InvoiceState | None:
    """The state `outcome` moves an invoice in `state` to, or None when it must not move it."""
    sources, target = _TRANSITIONS[outcome]
    return target if state in sources else None
