"""REST endpoints: webhook endpoints, their delivery log and replays; the events feed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from fatturahub.api.deps import PrincipalDep, SessionDep
from fatturahub.webhooks import schemas, service
from fatturahub.webhooks.filters import TYPE_PATTERN
from fatturahub.webhooks.models import Delivery, DeliveryState, WebhookEndpoint

router = APIRouter(prefix="/v1")
LimitQuery = Annotated[int, Query(ge=1, le=200)]
CursorQuery = Annotated[str | None, Query(max_length=200)]


def webhook_out(endpoint: WebhookEndpoint, secret: str | None = None) -> schemas.WebhookOut:
    out = schemas.WebhookOut.model_validate(endpoint)
    return schemas.WebhookWithSecret(**out.model_dump(), secret=secret) if secret else out


def delivery_out(delivery: Delivery) -> schemas.DeliveryOut:
    pending = delivery.state == DeliveryState.PENDING
    return schemas.DeliveryOut.model_validate(
        {
            **{f: getattr(delivery, f) for f in schemas.DeliveryOut.model_fields if hasattr(delivery, f)},
            "event_type": delivery.event.type,
            "next_attempt_at": delivery.next_attempt_at if pending else None,
            "log": [schemas.AttemptOut.model_validate(a) for a in delivery.log],
        }
    )


# --- webhook endpoints ----------------------------------------------------------------------
@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.WebhookWithSecret,
    tags=["webhooks"],
)
async def create_webhook(
    body: schemas.WebhookCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> schemas.WebhookOut:
    """Events are POSTed to `url`, signed per Standard Webhooks with the secret returned here
    (and only here). Account owners and admins only."""
    endpoint, secret = await service.create_endpoint(session, principal, body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/v1/webhooks/{endpoint.id}"
    return webhook_out(endpoint, secret)


@router.get("/webhooks", response_model=schemas.WebhookPage, tags=["webhooks"])
async def list_webhooks(
    session: SessionDep, principal: PrincipalDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> schemas.WebhookPage:
    page = await service.list_endpoints(session, principal, limit=limit, cursor=cursor)
    return schemas.WebhookPage(items=[webhook_out(e) for e in page.items], next_cursor=page.next_cursor)


@router.get("/webhooks/{webhook_id}", response_model=schemas.WebhookOut, tags=["webhooks"])
async def get_webhook(
    webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.WebhookOut:
    return webhook_out(await service.get_endpoint(session, principal, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=schemas.WebhookOut, tags=["webhooks"])
async def update_webhook(
    webhook_id: uuid.UUID, body: schemas.WebhookUpdate, session: SessionDep, principal: PrincipalDep
) -> schemas.WebhookOut:
    return webhook_out(await service.update_endpoint(session, principal, webhook_id, body))


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["webhooks"])
async def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> None:
    """The endpoint and its delivery log go; the events stay in the feed."""
    await service.delete_endpoint(session, principal, webhook_id)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret", response_model=schemas.WebhookWithSecret, tags=["webhooks"]
)
async def rotate_webhook_secret(
    webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> schemas.WebhookOut:
    """A new secret, shown once. For 24 hours deliveries carry a second signature made with the
    previous secret, so the receiver can switch without losing a delivery."""
    endpoint, secret = await service.rotate_secret(session, principal, webhook_id)
    response.headers["Cache-Control"] = "no-store"
    return webhook_out(endpoint, secret)


@router.post("/webhooks/{webhook_id}/enable", response_model=schemas.WebhookOut, tags=["webhooks"])
async def enable_webhook(
    webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.WebhookOut:
    """Resume a disabled endpoint: pending deliveries are sent again, in order."""
    return webhook_out(await service.enable_endpoint(session, principal, webhook_id))


# --- the delivery log and replays -----------------------------------------------------------
@router.get("/webhooks/{webhook_id}/deliveries", response_model=schemas.DeliveryPage, tags=["webhooks"])
async def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    state: DeliveryState | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> schemas.DeliveryPage:
    """Every delivery, oldest first, with each attempt: status, duration, error, response excerpt."""
    page = await service.list_deliveries(
        session, principal, webhook_id, state=state, limit=limit, cursor=cursor
    )
    return schemas.DeliveryPage(items=[delivery_out(d) for d in page.items], next_cursor=page.next_cursor)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.DeliveryOut,
    tags=["webhooks"],
)
async def replay_webhook_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> schemas.DeliveryOut:
    """Send the event again (same webhook-id), as a new delivery in the log."""
    return delivery_out(await service.replay_delivery(session, principal, webhook_id, delivery_id))


@router.post(
    "/webhooks/{webhook_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.ReplayOut,
    tags=["webhooks"],
)
async def replay_webhook_range(
    webhook_id: uuid.UUID, body: schemas.ReplayRange, session: SessionDep, principal: PrincipalDep
) -> schemas.ReplayOut:
    """Deliver again every event of [since, until) this endpoint would receive, in order."""
    count = await service.replay_range(session, principal, webhook_id, body.since, body.until)
    return schemas.ReplayOut(replayed=count)


# --- the events feed ------------------------------------------------------------------------
@router.get("/events", response_model=schemas.EventFeed, tags=["events"])
async def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    type: Annotated[str | None, Query(pattern=TYPE_PATTERN, max_length=100)] = None,
    company_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> schemas.EventFeed:
    """What happened to the account's companies, oldest first, append-only. Poll with the last
    `next_cursor`; `type` takes the same patterns as webhooks ("invoice.*")."""
    page, resume = await service.list_events(
        session, principal, limit=limit, cursor=cursor, type_pattern=type, company_id=company_id
    )
    return schemas.EventFeed(
        items=[schemas.EventOut.model_validate(e) for e in page.items],
        next_cursor=resume,
        has_more=page.next_cursor is not None,
    )
