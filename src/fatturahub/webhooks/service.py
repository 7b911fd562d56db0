"""Webhook endpoints of an account, their delivery log and replays, and the events feed.

Endpoints belong to an account and are managed by its owner and admins; another account's
endpoint is simply not found.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete
from sqlalchemy.ext.asyncio import AsyncSession

from fatturahub.audit.service import record
from fatturahub.db.base import utcnow
from fatturahub.db.pagination import Page, encode_cursor, paginate
from fatturahub.errors import Conflict, InvalidInput, NotFound
from fatturahub.tenancy.access import accessible_companies
from fatturahub.tenancy.principal import Principal
from fatturahub.tenancy.services.guards import require_account_manager
from fatturahub.webhooks import repository, signing
from fatturahub.webhooks.models import Delivery, DeliveryState, Event, WebhookEndpoint
from fatturahub.webhooks.publishing import kick, schedule_delivery
from fatturahub.webhooks.schemas import WebhookCreate, WebhookUpdate

SECRET_GRACE = timedelta(hours=24)  # a rotated-out secret still signs, so receivers can switch
MAX_REPLAY = 1000


async def create_endpoint(
    session: AsyncSession, principal: Principal, data: WebhookCreate
) -> tuple[WebhookEndpoint, str]:
    require_account_manager(principal)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        account_id=principal.account_id,
        url=str(data.url),
        description=data.description,
        event_types=list(dict.fromkeys(data.event_types)),
        company_ids=await _company_filter(session, principal, data.company_ids),
        secret=secret,
    )
    session.add(endpoint)
    await session.flush()
    record(
        session, principal, action="webhook_endpoint.created", target=endpoint, details=_described(endpoint)
    )
    return endpoint, secret


async def _company_filter(
    session: AsyncSession, principal: Principal, company_ids: list[uuid.UUID] | None
) -> list[str] | None:
    if company_ids is None:
        return None
    visible = await accessible_companies(session, principal)
    unknown = [str(c) for c in company_ids if c not in visible]
    if unknown:
        raise InvalidInput(
            "unknown companies", errors=[{"path": "company_ids", "message": f"not found: {unknown}"}]
        )
    return [str(c) for c in dict.fromkeys(company_ids)]


def _described(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "event_types": endpoint.event_types, "company_ids": endpoint.company_ids}


async def list_endpoints(
    session: AsyncSession, principal: Principal, *, limit: int, cursor: str | None
) -> Page[WebhookEndpoint]:
    require_account_manager(principal)
    query = repository.endpoints_of(principal.account_id)
    return await paginate(session, query, WebhookEndpoint, limit=limit, cursor=cursor)


async def get_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    require_account_manager(principal)
    endpoint = await repository.endpoint_of(session, principal.account_id, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook {endpoint_id} not found")
    return endpoint


async def update_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, data: WebhookUpdate
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, principal, endpoint_id)
    if data.url is not None:
        endpoint.url = str(data.url)
    if data.description is not None:
        endpoint.description = data.description
    if data.event_types is not None:
        endpoint.event_types = list(dict.fromkeys(data.event_types))
    if "company_ids" in data.model_fields_set:
        endpoint.company_ids = await _company_filter(session, principal, data.company_ids)
    endpoint.updated_at = utcnow()
    record(
        session,
        principal,
        action="webhook_endpoint.updated",
        target=endpoint,
        details=data.model_dump(mode="json", exclude_unset=True),
    )
    if data.enabled is True and not endpoint.enabled:
        await enable_endpoint(session, principal, endpoint_id)
    elif data.enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = "disabled by the account"
    return endpoint


async def delete_endpoint(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> None:
    """The endpoint goes, with its delivery log; the events stay in the feed."""
    endpoint = await get_endpoint(session, principal, endpoint_id)
    record(
        session, principal, action="webhook_endpoint.deleted", target=endpoint, details=_described(endpoint)
    )
    await session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))


async def rotate_secret(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the old one keeps signing too (a second signature) for SECRET_GRACE."""
    endpoint = await get_endpoint(session, principal, endpoint_id)
    now = utcnow()
    endpoint.previous_secret, endpoint.previous_secret_expires_at = endpoint.secret, now + SECRET_GRACE
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = now
    record(session, principal, action="webhook_endpoint.secret_rotated", target=endpoint)
    return endpoint, endpoint.secret


async def enable_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """Resume deliveries: what was pending is sent now, in order, with a fresh retry window."""
    endpoint = await get_endpoint(session, principal, endpoint_id)
    if endpoint.enabled:
        return endpoint
    now = utcnow()
    endpoint.enabled, endpoint.failing_since = True, None
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.updated_at = None, None, now
    await repository.restart_pending(session, endpoint.id, now)
    for subject_id in await repository.pending_lanes(session, endpoint.id):
        kick(session, endpoint.id, subject_id, at=now)
    record(session, principal, action="webhook_endpoint.enabled", target=endpoint)
    return endpoint


# --- the delivery log and replays -----------------------------------------------------------
async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    *,
    state: DeliveryState | None,
    limit: int,
    cursor: str | None,
) -> Page[Delivery]:
    endpoint = await get_endpoint(session, principal, endpoint_id)
    query = repository.deliveries(endpoint.id, state)
    return await paginate(session, query, Delivery, limit=limit, cursor=cursor)


async def replay_delivery(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> Delivery:
    """Send a delivered or failed event again, after whatever its lane still holds."""
    endpoint = await _enabled_endpoint(session, principal, endpoint_id)
    original = await repository.delivery(session, endpoint.id, delivery_id)
    if original is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if original.state == DeliveryState.PENDING:
        raise Conflict("this delivery is still pending: it will be sent, no replay needed")
    at = await _lane_end(session, endpoint.id, original.subject_id, utcnow())
    replay = schedule_delivery(session, endpoint, original.event, at=at, replay_of=original.id)
    await session.flush()
    record(
        session,
        principal,
        action="webhook_delivery.replayed",
        target=replay,
        details={"endpoint_id": str(endpoint.id), "replay_of": str(original.id)},
    )
    await session.refresh(replay, ["event", "log"])
    return replay


async def replay_range(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    since: datetime,
    until: datetime | None,
) -> int:
    """Deliver again every event of [since, until) the endpoint would receive, in event order."""
    endpoint = await _enabled_endpoint(session, principal, endpoint_id)
    now = utcnow()
    until = until or now
    query = (await _feed_query(session, principal)).where(
        Event.created_at >= since,
        Event.created_at < until,
        repository.type_matches(endpoint.event_types),
    )
    if endpoint.company_ids is not None:
        query = query.where(Event.company_id.in_([uuid.UUID(c) for c in endpoint.company_ids]))
    if await repository.count(session, query) > MAX_REPLAY:
        raise InvalidInput(
            "range too large",
            errors=[{"path": "since", "message": f"more than {MAX_REPLAY} events: replay a shorter range"}],
        )
    events = await repository.events_in_order(session, query)
    for event in events:
        at = await _lane_end(session, endpoint.id, event.subject_id, now)
        schedule_delivery(session, endpoint, event, at=at)
        await session.flush()  # the next event of this subject queues behind this one
    record(
        session,
        principal,
        action="webhook_endpoint.replayed",
        target=endpoint,
        details={"since": since.isoformat(), "until": until.isoformat(), "events": len(events)},
    )
    return len(events)


async def _enabled_endpoint(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, principal, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("the webhook is disabled: enable it first")
    return endpoint


async def _lane_end(
    session: AsyncSession, endpoint_id: uuid.UUID, subject_id: uuid.UUID, now: datetime
) -> datetime:
    """A lane position after everything already in the lane."""
    last = await repository.last_lane_time(session, endpoint_id, subject_id)
    return max(now, last + repository.TICK) if last is not None else now


# --- the feed -------------------------------------------------------------------------------
async def _feed_query(
    session: AsyncSession, principal: Principal, company_id: uuid.UUID | None = None
) -> Select[tuple[Event]]:
    """The account's events, of the companies this principal sees now (one, if asked)."""
    accesses = await accessible_companies(session, principal, company_id=company_id)
    if company_id is not None and company_id not in accesses:
        raise NotFound(f"company {company_id} not found")
    account_level = company_id is None and principal.manages_account
    return repository.visible_events(principal.account_id, list(accesses), account_level=account_level)


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    type_pattern: str | None = None,
    company_id: uuid.UUID | None = None,
) -> tuple[Page[Event], str | None]:
    """Oldest first; also returns where to resume (after the last event, or where we were)."""
    query = await _feed_query(session, principal, company_id)
    if type_pattern is not None:
        query = query.where(repository.type_matches([type_pattern]))
    page = await paginate(session, query, Event, limit=limit, cursor=cursor)
    resume = encode_cursor(page.items[-1].created_at, page.items[-1].id) if page.items else cursor
    return page, resume
