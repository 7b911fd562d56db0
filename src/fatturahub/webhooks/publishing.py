"""Publishing events: the feed entry, its recipients, and the deliveries owed to webhooks, all in
the caller's transaction (an event exists exactly when the change it reports does)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from fatturahub.db.base import utcnow
from fatturahub.webhooks import repository
from fatturahub.webhooks.filters import check_event_type, company_accepted, type_accepted
from fatturahub.webhooks.models import Delivery, Event, EventRecipient, WebhookEndpoint
from fatturahub.worker.queue import enqueue

DELIVER_JOB = "webhook.deliver"
# session.info: subject -> time of its latest event published in this transaction (None: created
# in this transaction, no event yet). Events wait for the next flush, unseen by queries till then.
_LATEST = "webhooks.latest_events"
_AUDIENCES = "webhooks.audiences"  # session.info: (owner, company) -> its audience, for this transaction


def new_subject(session: AsyncSession, subject_id: uuid.UUID) -> None:
    """Tell publishing that `subject_id` was created in the current transaction: no other
    transaction can have events of it, so its events are ordered without asking the database."""
    session.info.setdefault(_LATEST, {})[subject_id] = None


@orm_event.listens_for(Session, "after_transaction_end")
def _forget_transaction_memos(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back: other transactions may publish now
        session.info.pop(_LATEST, None)
        session.info.pop(_AUDIENCES, None)


async def _audience(
    session: AsyncSession, owner_account_id: uuid.UUID, company_id: uuid.UUID, now: datetime
) -> tuple[set[uuid.UUID], list[WebhookEndpoint]]:
    """`repository.audience`, asked once per transaction and company: an invoice's creation, its
    queueing and its notifications publish several events in one transaction, and no transaction
    that publishes also changes delegations or endpoints."""
    known = session.info.setdefault(_AUDIENCES, {})
    key = (owner_account_id, company_id)
    if key not in known:
        known[key] = await repository.audience(session, owner_account_id, company_id, now)
    return known[key]


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
    if company_id is not None:
        recipients, endpoints = await _audience(session, owner_account_id, company_id, now)
    else:
        recipients = {owner_account_id}
        endpoints = await repository.enabled_endpoints(session, recipients)
    created_at = await _next_event_time(session, subject_id, now)
    event = Event(
        id=uuid.uuid4(),
        created_at=created_at,
        account_id=owner_account_id,
        company_id=company_id,
        type=type_,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
    session.add(event)
    session.add_all(EventRecipient(account_id=account, event_id=event.id) for account in recipients)
    for endpoint in endpoints:
        if type_accepted(endpoint.event_types, type_) and company_accepted(endpoint.company_ids, company_id):
            schedule_delivery(session, endpoint, event, at=event.created_at)
    return event


async def _next_event_time(session: AsyncSession, subject_id: uuid.UUID, now: datetime) -> datetime:
    """`now`, after the subject's latest event: asked of the database once per transaction, then
    known here (the events of this transaction are written only when it commits)."""
    latest_events = session.info.setdefault(_LATEST, {})
    if subject_id in latest_events:
        latest = latest_events[subject_id]
        created_at = max(now, latest + repository.TICK) if latest is not None else now
    else:
        created_at = await repository.next_event_time(session, subject_id, now)
    latest_events[subject_id] = created_at
    return created_at


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
