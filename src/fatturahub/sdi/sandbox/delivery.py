"""Delivering notifications to the sender's TrasmissioneFatture endpoint, like SDI: by SOAP, one
at a time in the order they were made, retrying with backoff while the endpoint is down.

One queue for every file keeps each file's notifications in order; while the endpoint refuses
the head of the queue, nothing behind it goes out (there is a single endpoint to wait for).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from fatturahub.sdi import soap
from fatturahub.sdi.sandbox import notices
from fatturahub.sdi.sandbox.state import SentNotification


@dataclass(frozen=True)
class Delivery:
    identificativo_sdi: int
    notification: SentNotification


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
        self._queue: deque[Delivery] = deque()
        self._wakeup: asyncio.Event | None = None  # made in `run`, on the loop that delivers

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, delivery: Delivery) -> None:
        self._queue.append(delivery)
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

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery) -> bool:
        notification = delivery.notification
        notification.attempts += 1
        try:
            response = await client.post(self._url, content=request_body(delivery), headers=headers(delivery))
        except httpx.HTTPError as exc:
            notification.last_error = f"{type(exc).__name__}: {exc}"
            return False
        if not response.is_success:
            notification.last_error = f"HTTP {response.status_code}"
            return False
        notification.delivered_at = self._now()
        notification.last_error = None
        return True

    def _done(self, delivery: Delivery) -> None:
        if self._queue and self._queue[0] is delivery:  # a reset may have emptied the queue meanwhile
            self._queue.popleft()


def request_body(delivery: Delivery) -> bytes:
    notification = delivery.notification
    body = soap.body_element(
        soap.TRASMISSIONE_TYPES,
        notices.body_element_name(notification.type),
        [
            ("IdentificativoSdI", str(delivery.identificativo_sdi)),
            ("NomeFile", notification.file_name),
            ("File", notification.content),
        ],
    )
    return soap.envelope(body)


def headers(delivery: Delivery) -> dict[str, str]:
    action = notices.SOAP_ACTION.format(operation=notices.operation(delivery.notification.type))
    return {"Content-Type": soap.SOAP_CONTENT_TYPE, "SOAPAction": f'"{action}"'}
