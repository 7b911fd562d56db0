"""What a sandbox is told at start: where the sender's notifications and the recipient's invoices
go, and how it behaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from fatturahub.fatturapa.xmlsafe import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class SandboxConfig:
    notifications_url: str
    """The sender's TrasmissioneFatture endpoint, where every notification is delivered by SOAP."""

    invoices_url: str | None = None
    """The recipient's RicezioneFatture endpoint, where supplier invoices (and DT) are delivered by
    SOAP; without it the sandbox plays only the active cycle."""

    unreachable: frozenset[str] = field(default_factory=frozenset)
    """CodiceDestinatario values whose delivery fails (MC instead of RC); changeable at run time."""

    lang: str = "it"
    """Language of the error descriptions in NS notifications: "it" (as SDI) or "en"."""

    max_file_bytes: int = DEFAULT_MAX_BYTES
    """Larger files are rejected with 00003 (SDICoop allows 5 MB per file)."""

    retry_initial_seconds: float = 1.0
    retry_max_seconds: float = 60.0
    """Backoff between attempts while the notifications endpoint is down: doubles up to the max."""

    delivery_timeout_seconds: float = 10.0

    delivery_concurrency: int = 8
    """Requests in flight at once to one endpoint while it answers, each for a different file (a
    file's messages always go one after the other); after a refusal, one at a time until the
    backlog is through."""
