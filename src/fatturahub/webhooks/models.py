"""Tables of the events feed and of webhook delivery.

An event is written once and never changed; who may read it (its recipients) is fixed when it
happens. A delivery is one event owed to one endpoint; its attempts are the delivery log.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fatturahub.db.base import Base, IdMixin, JSONType, utcnow


class Event(IdMixin, Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_subject", "subject_id", "created_at"),)

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"))  # the owner
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("company.id"), index=True)
    type: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    data: Mapped[dict[str, Any]]


class EventRecipient(Base):
    """An account that may read an event: the owner, and the delegates of the company back then."""

    __tablename__ = "event_recipient"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id"), primary_key=True)


class WebhookEndpoint(IdMixin, Base):
    __tablename__ = "webhook_endpoint"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    event_types: Mapped[list[str]] = mapped_column(JSONType)  # "invoice.created", "invoice.*", "*"
    company_ids: Mapped[list[str] | None] = mapped_column(JSONType)  # None: every company
    secret: Mapped[str] = mapped_column(String(100))  # whsec_…: needed in clear to sign
    previous_secret: Mapped[str | None] = mapped_column(String(100))  # still signed with, until…
    previous_secret_expires_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failing_since: Mapped[datetime | None]  # first failure since the last success
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def secrets(self, now: datetime) -> list[str]:
        """The secrets to sign with: the current one, and the previous one during its grace time."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # retried for the whole retry window without success: replay it


class Delivery(IdMixin, Base):
    """One event owed to one endpoint. Deliveries of one endpoint and subject form a lane, sent in
    (created_at, id) order: created_at is the event's time, or the time of a replay."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_lane", "endpoint_id", "subject_id", "state", "created_at"),)

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    state: Mapped[DeliveryState] = mapped_column(String(10), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    retry_from: Mapped[datetime]  # start of the retry window
    locked_until: Mapped[datetime | None]  # a worker is sending it
    delivered_at: Mapped[datetime | None]
    replay_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    event: Mapped[Event] = relationship(lazy="raise")
    log: Mapped[list[DeliveryAttempt]] = relationship(
        lazy="raise", order_by="DeliveryAttempt.created_at", passive_deletes=True
    )


class DeliveryAttempt(IdMixin, Base):
    __tablename__ = "webhook_delivery_attempt"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    response_excerpt: Mapped[str | None] = mapped_column(Text)
