"""Delivering SOAP requests to one endpoint, like SDI: each file's messages in the order they were
queued, retrying with backoff while the endpoint is down or refuses, nothing dropped.

One Outbox per endpoint: the sender's TrasmissioneFatture (notifications) and the recipient's
RicezioneFatture (invoices, DT). Each parcel belongs to a lane (its file): while the endpoint
answers, parcels of different lanes go out concurrently (up to `concurrency` requests), those of
one lane one after the other. When the endpoint refuses a parcel, the outbox falls back to one
request at a time in queue order, retrying the head with backoff while nothing behind it goes out,
until what was queued at the last refusal is delivered: a recovering endpoint gets the backlog in
arrival order, not a burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
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
    lane: Hashable = None
    """Parcels of one lane (one file) are delivered one after the other, in queue order."""

    def headers(self) -> dict[str, str]:
        return {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": f'"{self.soap_action}"'}


@dataclass(frozen=True)
class Backoff:
    initial_seconds: float
    max_seconds: float

    def after(self, delay: float | None) -> float:
        return self.initial_seconds if delay is None else min(delay * 2, self.max_seconds)


class Outbox:
    def __init__(
        self,
        url: str,
        *,
        backoff: Backoff,
        timeout: float,
        now: Callable[[], datetime],
        concurrency: int = 1,
    ) -> None:
        self._url = url
        self._backoff = backoff
        self._timeout = timeout
        self._now = now
        self._concurrency = max(1, concurrency)
        self._queue: dict[int, Parcel] = {}  # by id(parcel), in queue order; left only when delivered
        self._in_flight: set[int] = set()
        self._busy_lanes: set[Hashable] = set()
        self._backlog_end: int | None = None  # set while refused: one at a time until it is delivered
        self._delay: float | None = None
        self._wakeup: asyncio.Event | None = None  # made in `run`, on the loop that delivers

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, parcel: Parcel) -> None:
        self._queue[id(parcel)] = parcel
        if self._wakeup is not None:
            self._wakeup.set()

    def clear(self) -> None:
        self._queue.clear()

    async def run(self) -> None:
        """Deliver until cancelled; what is still queued then waits for the next run."""
        wakeup = self._wakeup = asyncio.Event()
        tasks: set[asyncio.Task] = set()
        limits = httpx.Limits(max_connections=self._concurrency, max_keepalive_connections=self._concurrency)
        async with httpx.AsyncClient(timeout=self._timeout, limits=limits) as client:
            try:
                while True:
                    wakeup.clear()
                    if self._backlog_end is None:
                        self._dispatch(client, tasks)
                    elif not self._in_flight and self._queue:
                        await self._retry_head(client)
                        continue
                    await wakeup.wait()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self._in_flight.clear()
                self._busy_lanes.clear()

    def _dispatch(self, client: httpx.AsyncClient, tasks: set[asyncio.Task]) -> None:
        """Start the first parcels, in queue order, whose lane has nothing before them."""
        held = set(self._busy_lanes)
        for key, parcel in self._queue.items():
            if len(self._in_flight) >= self._concurrency:
                return
            lane = parcel.lane if parcel.lane is not None else key
            if lane in held:
                continue
            held.add(lane)
            if key in self._in_flight:
                continue
            self._in_flight.add(key)
            self._busy_lanes.add(lane)
            task = asyncio.create_task(self._deliver(client, key, lane, parcel))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def _deliver(self, client: httpx.AsyncClient, key: int, lane: Hashable, parcel: Parcel) -> None:
        try:
            delivered = await self._attempt(client, parcel)
        finally:
            self._in_flight.discard(key)
            self._busy_lanes.discard(lane)
            if self._wakeup is not None:
                self._wakeup.set()
        if delivered:
            self._done(parcel)
            self._delay = None
        else:  # the first refusal among concurrent requests sets the backoff; the others join it
            self._refused(backoff=self._backlog_end is None)

    async def _retry_head(self, client: httpx.AsyncClient) -> None:
        """After a refusal: the oldest parcel alone, with backoff, until the backlog is through."""
        if self._delay is not None:
            await asyncio.sleep(self._delay)
        head = next(iter(self._queue.values()), None)
        if head is None:
            return
        if await self._attempt(client, head):
            self._done(head)
            self._delay = None
            if self._backlog_end not in self._queue:
                self._backlog_end = None
        else:
            self._refused(backoff=True)

    def _refused(self, *, backoff: bool) -> None:
        if backoff:
            self._delay = self._backoff.after(self._delay)
        self._backlog_end = next(reversed(self._queue), None)

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
        # a reset may have emptied the queue meanwhile
        if self._queue.get(id(parcel)) is parcel:
            del self._queue[id(parcel)]


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
    return Parcel(notification, action, soap.envelope(body), lane=identificativo_sdi)


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
    return Parcel(notification, action, soap.envelope(body), lane=identificativo_sdi)


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
    return Parcel(delivery, action, soap.envelope(body), taken_in_charge, lane=delivery.identificativo_sdi)
