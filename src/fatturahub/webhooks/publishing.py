"""Publishing events: the feed entry, its recipients, and the deliveries owed to webhooks, all in
the caller's transaction (an event exists exactly when the change it reports does)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.db.base import utcnow
from fatturahub.webhooks import repository
from fatturahub.webhooks.filters import check_event_type, company_accepted, type_accepted
from fatturahub.webhooks.models import Delivery, Event, EventRecipient, WebhookEndpoint
from fatturahub.worker.queue import enqueue

DELIVER_JOB = "webhook.deliver"


async def publish(
    session: AsyncSession,
    *,
    company_id: uuid.UUID,
    owner_account_id: uuid.UUID,
    type: str,
    subject_type: str,
    subject_id: uuid.UUID,
    data: dict[str, Any],
) -> Event:
    """Record that `type` happened to a subject of a company. The owner account and the accounts
    holding an active delegation on the company now receive it, in the feed and on webhooks."""
    return await add_event(
        session,
        owner_account_id=owner_account_id,
        company_id=company_id,
        type_=type,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )


async def add_event(
    session: AsyncSession,
    *,
    owner_account_id: uuid.UUID,
    company_id: uuid.UUID | None,
    type_: str,
    subject_type: str,
    subject_id: uuid.UUID,
    data: dict[str, Any],
) -> Event:
    """`publish`, also for account-level events (no company: only the owner receives them)."""
    check_event_type(type_)
    now = utcnow()
    recipients = {owner_account_id}
    if company_id is not None:
        recipients.update(await repository.delegate_accounts(session, company_id, now))
    event = Event(
        id=uuid.uuid4(),
        created_at=await repository.next_event_time(session, subject_id, now),
        account_id=owner_account_id,
        company_id=company_id,
        type=type_,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
    session.add(event)
    session.add_all(EventRecipient(account_id=account, event_id=event.id) for account in recipients)
    for endpoint in await repository.enabled_endpoints(session, recipients):
        if type_accepted(endpoint.event_types, type_) and company_accepted(endpoint.company_ids, company_id):
            schedule_delivery(session, endpoint, event, at=event.created_at)
    await session.flush()  # the next event of this subject, even in this transaction, comes after
    return event


def schedule_delivery(
    session: AsyncSession,
    endpoint: WebhookEndpoint,
    event: Event,
    *,
    at: datetime,
    replay_of: uuid.UUID | None = None,
) -> Delivery:
    """A delivery at lane position `at`, and a job to work its lane."""
    delivery = Delivery(
        endpoint_id=endpoint.id,
        event_id=event.id,
        subject_id=event.subject_id,
        created_at=at,
        next_attempt_at=at,
        retry_from=at,
        replay_of=replay_of,
    )
    session.add(delivery)
    kick(session, endpoint.id, event.subject_id, at=at)
    return delivery


def kick(session: AsyncSession, endpoint_id: uuid.UUID, subject_id: uuid.UUID, *, at: datetime) -> None:
    """A job that will work the lane of (endpoint, subject) from `at` on."""
    enqueue(session, DELIVER_JOB, {"endpoint_id": str(endpoint_id), "subject_id": str(subject_id)}, run_at=at)
