"""The `webhook.deliver` job: send events to endpoints, in order per subject, retried for days.

Ordering. The deliveries of one endpoint and one subject (an invoice) form a lane, ordered by
(created_at, id); only the lane's first pending delivery (its head) is ever sent. A job works a
lane, not a delivery: it sends the head, and on success goes on with the next one. So a later
event waits while an earlier one is undelivered, and a failing subject never holds up others.

No deadlock, no spin, no stranded lane. No job ever waits for another. A job that cannot send
now reschedules itself for the earliest moment it could: the head's next attempt (after a
backoff), or the end of another worker's lease on it (which also recovers from a worker that
died mid-send). Whoever postpones a head schedules the job for it in the same transaction, and
publishing schedules one for every new delivery, so a lane with pending work always has a job
due at or before its head; rescheduled times are never in the past, so nothing busy-loops.
Jobs of a disabled or deleted endpoint end; enabling the endpoint restarts its lanes.

Sending happens outside any database transaction: the lease is committed first, the outcome
is recorded afterwards in its own transaction.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub import __version__
from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.tenancy.principal import Principal
from fatturahub.webhooks import repository, signing
from fatturahub.webhooks.models import Delivery, DeliveryAttempt, DeliveryState, Event, WebhookEndpoint
from fatturahub.webhooks.publishing import DELIVER_JOB, add_event, kick
from fatturahub.worker.models import Job
from fatturahub.worker.queue import backoff
from fatturahub.worker.runner import Handler

log = logging.getLogger("fatturahub.webhooks")
LEASE = timedelta(minutes=2)  # longer than any send (see DeliveryPolicy.timeout)


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout: float = 10.0  # seconds for the whole request, connection to last byte read
    retry_for: timedelta = timedelta(days=5)  # then the delivery fails (it can be replayed)
    disable_after: timedelta = timedelta(days=5)  # of failing without a single success
    backoff: Callable[[int], timedelta] = backoff  # 5 s, 10 s, … capped at 6 h
    response_bytes: int = 2048  # read at most this much of a response, kept in the log
    batch: int = 20  # deliveries per job run, so a long lane lets other jobs in
    # Multi-tenant servers must not let an account reach the server's own network (SSRF):
    # loopback, private, link-local and reserved addresses are refused unless allowed here.
    private_networks: bool = True


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str | None
    excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def handlers(policy: DeliveryPolicy | None = None) -> dict[str, Handler]:
    chosen = policy or DeliveryPolicy()

    async def deliver(session: AsyncSession, job: Job) -> None:
        lane = uuid.UUID(job.payload["endpoint_id"]), uuid.UUID(job.payload["subject_id"])
        await work_lane(session, *lane, chosen)

    return {DELIVER_JOB: deliver}


async def work_lane(
    session: AsyncSession, endpoint_id: uuid.UUID, subject_id: uuid.UUID, policy: DeliveryPolicy
) -> None:
    for _ in range(policy.batch):
        if not await _deliver_head(session, endpoint_id, subject_id, policy):
            return
    kick(session, endpoint_id, subject_id, at=utcnow())


async def _deliver_head(
    session: AsyncSession, endpoint_id: uuid.UUID, subject_id: uuid.UUID, policy: DeliveryPolicy
) -> bool:
    """Send the lane's head if it is due; True when the lane may go on at once."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    head = await repository.lane_head(session, endpoint_id, subject_id)
    if endpoint is None or not endpoint.enabled or head is None:
        return False
    now = utcnow()
    if head.next_attempt_at > now:
        kick(session, endpoint_id, subject_id, at=head.next_attempt_at)
        return False
    if not await repository.lease(session, head, now, now + LEASE):
        kick(session, endpoint_id, subject_id, at=(head.locked_until or now) + timedelta(seconds=1))
        return False
    event = await session.get_one(Event, head.event_id)
    await session.commit()
    outcome = await send(endpoint, event, policy)
    await _record(session, endpoint, head, outcome, policy)
    await session.commit()
    return head.state != DeliveryState.PENDING


async def _record(
    session: AsyncSession,
    endpoint: WebhookEndpoint,
    delivery: Delivery,
    outcome: Outcome,
    policy: DeliveryPolicy,
) -> None:
    now = utcnow()
    session.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            created_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            response_excerpt=outcome.excerpt,
        )
    )
    delivery.attempts += 1
    delivery.locked_until = None
    if outcome.ok:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
        await repository.mark_healthy(session, endpoint.id)
        return
    if now - delivery.retry_from >= policy.retry_for:
        delivery.state = DeliveryState.FAILED
    else:
        delivery.next_attempt_at = now + policy.backoff(delivery.attempts)
        kick(session, endpoint.id, delivery.subject_id, at=delivery.next_attempt_at)
    failing_since = await repository.mark_failing(session, endpoint.id, now)
    if failing_since is not None and now - failing_since >= policy.disable_after:
        await _disable(session, endpoint, now, failing_since)


async def _disable(session: AsyncSession, endpoint: WebhookEndpoint, now: datetime, since: datetime) -> None:
    """Switch off an endpoint that keeps failing, and say so in the audit log and the feed."""
    reason = f"every delivery failed since {since.isoformat()}"
    if not await repository.disable(session, endpoint.id, now, reason):
        return  # another worker got there first
    log.warning("webhook endpoint disabled", extra={"endpoint_id": str(endpoint.id), "reason": reason})
    record(
        session,
        Principal(account_id=endpoint.account_id),  # the service itself, not a user or a key
        action="webhook_endpoint.disabled",
        target=endpoint,
        details={"reason": reason, "url": endpoint.url},
    )
    await add_event(
        session,
        owner_account_id=endpoint.account_id,
        company_id=None,
        type_="webhook_endpoint.disabled",
        subject_type="webhook_endpoint",
        subject_id=endpoint.id,
        data={
            "webhook_endpoint": {
                "id": str(endpoint.id),
                "url": endpoint.url,
                "failing_since": since.isoformat(),
                "disabled_reason": reason,
            }
        },
    )


# --- one HTTP request -----------------------------------------------------------------------
def payload(event: Event) -> bytes:
    body = {
        "id": str(event.id),
        "type": event.type,
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


async def send(endpoint: WebhookEndpoint, event: Event, policy: DeliveryPolicy) -> Outcome:
    """POST the event, signed; never raises: whatever goes wrong is the attempt's outcome."""
    body = payload(event)
    now = utcnow()
    headers = {
        **signing.headers(endpoint.secrets(now), str(event.id), int(now.timestamp()), body),
        "content-type": "application/json",
        "accept-encoding": "identity",  # the excerpt we keep should be readable
        "user-agent": f"FatturaHub-Webhooks/{__version__}",
    }
    started = time.monotonic()
    try:
        async with asyncio.timeout(policy.timeout):
            if not policy.private_networks:
                await _refuse_private_addresses(endpoint.url)
            status, excerpt, location = await _post(endpoint.url, body, headers, policy)
    except TimeoutError:
        return Outcome(None, _since(started), f"no answer within {policy.timeout:g} s", None)
    except Exception as exc:  # any failure to deliver is recorded in the log, and retried
        return Outcome(None, _since(started), f"{type(exc).__name__}: {exc}"[:500], None)
    return Outcome(status, _since(started), _status_error(status, location), excerpt)


async def _refuse_private_addresses(url: str) -> None:
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    infos = await asyncio.get_running_loop().getaddrinfo(parsed.host, port, type=socket.SOCK_STREAM)
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise PermissionError(f"{parsed.host} resolves to {address}, a non-public address")


async def _post(
    url: str, body: bytes, headers: dict[str, str], policy: DeliveryPolicy
) -> tuple[int, str | None, str | None]:
    async with (
        httpx.AsyncClient(follow_redirects=False, timeout=policy.timeout) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        excerpt = bytearray()
        async for chunk in response.aiter_raw():  # raw: no decompression of a hostile body
            excerpt += chunk
            if len(excerpt) >= policy.response_bytes:
                break
        text = bytes(excerpt[: policy.response_bytes]).decode("utf-8", "replace")
        return response.status_code, text or None, response.headers.get("location")


def _status_error(status: int, location: str | None) -> str | None:
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return f"HTTP {status}: redirect to {location} not followed"[:500]
    return f"HTTP {status}"


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
