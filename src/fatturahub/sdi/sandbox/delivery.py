"""Delivering SOAP requests to one endpoint, like SDI: one at a time in the order they were queued,
retrying with backoff while the endpoint is down or refuses, nothing dropped.

One Outbox per endpoint: the sender's TrasmissioneFatture (notifications) and the recipient's
RicezioneFatture (invoices, DT). One queue per endpoint keeps each file's messages in order; while
the endpoint refuses the head of the queue, nothing behind it goes out.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from fatturahub.sdi import soap
from fatturahub.sdi.sandbox import notices
from fatturahub.sdi.sandbox.state import InvoiceDelivery, SentNotification

RICEZIONE_ACTION = "http://www.fatturapa.it/RicezioneFatture/{operation}"
RICEVI_FATTURE_OPERATION = "RiceviFattureSdI"  # the soapAction's last segment, not the operation name
TAKEN_IN_CHARGE = "ER01"

Verdict = Callable[[httpx.Response], str | None]
"""Why an answer does not count as delivered; None when it does."""


class Attempts(Protocol):
    """Where a parcel's delivery attempts are recorded (shown by the control API)."""

    attempts: int
    delivered_at: datetime | None
    last_error: str | None


def one_way(response: httpx.Response) -> str | None:
    """One-way operations have no SOAP answer: any 2xx is a delivery."""
    return None if response.is_success else f"HTTP {response.status_code}"


def taken_in_charge(response: httpx.Response) -> str | None:
    """RiceviFatture is delivered only when answered rispostaRiceviFatture with Esito ER01."""
    try:
        message = soap.parse(response.content, response.headers.get("content-type"))
    except soap.SoapError as exc:
        return f"HTTP {response.status_code}: {exc}"
    if message.name != "rispostaRiceviFatture" or message.text("Esito") != TAKEN_IN_CHARGE:
        return f"HTTP {response.status_code}: answered {message.name} instead of Esito ER01"
    return None


@dataclass(frozen=True)
class Parcel:
    """One SOAP request to deliver, the record of its attempts, and what counts as delivered."""

    record: Attempts
    soap_action: str
    envelope: bytes
    verdict: Verdict = one_way

    def headers(self) -> dict[str, str]:
        return {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": f'"{self.soap_action}"'}


@dataclass(frozen=True)
class Backoff:
    initial_seconds: float
    max_seconds: float

    def after(self, delay: float | None) -> float:
        return self.initial_seconds if delay is None else min(delay * 2, self.max_seconds)


class Outbox:
    def __init__(self, url: str, *, backoff: Backoff, timeout: float, now: Callable[[], datetime]) -> None:
        self._url = url
        self._backoff = backoff
        self._timeout = timeout
        self._now = now
        self._queue: deque[Parcel] = deque()
        self._wakeup: asyncio.Event | None = None  # made in `run`, on the loop that delivers

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, parcel: Parcel) -> None:
        self._queue.append(parcel)
        if self._wakeup is not None:
            self._wakeup.set()

    def clear(self) -> None:
        self._queue.clear()

    async def run(self) -> None:
        """Deliver until cancelled; what is still queued then waits for the next run."""
        wakeup = self._wakeup = asyncio.Event()
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            delay: float | None = None
            while True:
                if not self._queue:
                    wakeup.clear()
                    await wakeup.wait()
                    continue
                head = self._queue[0]
                if await self._attempt(client, head):
                    self._done(head)
                    delay = None
                else:
                    delay = self._backoff.after(delay)
                    await asyncio.sleep(delay)

    async def _attempt(self, client: httpx.AsyncClient, parcel: Parcel) -> bool:
        record = parcel.record
        record.attempts += 1
        try:
            response = await client.post(self._url, content=parcel.envelope, headers=parcel.headers())
        except httpx.HTTPError as exc:
            record.last_error = f"{type(exc).__name__}: {exc}"
            return False
        refusal = parcel.verdict(response)
        if refusal is not None:
            record.last_error = refusal
            return False
        record.delivered_at = self._now()
        record.last_error = None
        return True

    def _done(self, parcel: Parcel) -> None:
        if self._queue and self._queue[0] is parcel:  # a reset may have emptied the queue meanwhile
            self._queue.popleft()


def notification_parcel(identificativo_sdi: int, notification: SentNotification) -> Parcel:
    """A notification to the sender's TrasmissioneFatture: body element and action per type."""
    body = soap.body_element(
        soap.TRASMISSIONE_TYPES,
        notices.body_element_name(notification.type),
        [
            ("IdentificativoSdI", str(identificativo_sdi)),
            ("NomeFile", notification.file_name),
            ("File", notification.content),
        ],
    )
    action = notices.SOAP_ACTION.format(operation=notices.operation(notification.type))
    return Parcel(notification, action, soap.envelope(body))


def recipient_notification_parcel(identificativo_sdi: int, notification: SentNotification) -> Parcel:
    """DT to the recipient's RicezioneFatture (one-way NotificaDecorrenzaTermini, body `fileSdI`)."""
    body = soap.body_element(
        soap.RICEZIONE_TYPES,
        "fileSdI",
        [
            ("IdentificativoSdI", str(identificativo_sdi)),
            ("NomeFile", notification.file_name),
            ("File", notification.content),
        ],
    )
    action = RICEZIONE_ACTION.format(operation=notices.operation(notification.type))
    return Parcel(notification, action, soap.envelope(body))


def invoice_parcel(delivery: InvoiceDelivery) -> Parcel:
    """An invoice file and its metadata file to the recipient's RicezioneFatture (RiceviFatture)."""
    body = soap.body_element(
        soap.RICEZIONE_TYPES,
        "fileSdIConMetadati",
        [
            ("IdentificativoSdI", str(delivery.identificativo_sdi)),
            ("NomeFile", delivery.file_name),
            ("File", delivery.content),
            ("NomeFileMetadati", delivery.metadata_file_name),
            ("Metadati", delivery.metadata),
        ],
    )
    action = RICEZIONE_ACTION.format(operation=RICEVI_FATTURE_OPERATION)
    return Parcel(delivery, action, soap.envelope(body), taken_in_charge)
