"""Request and response bodies of the webhooks API and the events feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator, model_validator

from fatturahub.webhooks.filters import TYPE_PATTERN
from fatturahub.webhooks.models import DeliveryState

TypePattern = Annotated[str, Field(pattern=TYPE_PATTERN, max_length=100)]
Url = Annotated[
    AnyUrl,
    UrlConstraints(max_length=2000, allowed_schemes=["http", "https"]),
    Field(description="http(s) URL that receives the POSTs"),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WebhookFields(Body):
    description: str | None = Field(default=None, max_length=500)
    event_types: list[TypePattern] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description='event types, with wildcards: "invoice.created", "invoice.*", "*"',
    )
    company_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=500, description="only events of these companies; null: every company"
    )


class WebhookCreate(WebhookFields):
    url: Url
    event_types: list[TypePattern] = Field(default=["*"], min_length=1, max_length=50)
    description: str = Field(default="", max_length=500)


class WebhookUpdate(WebhookFields):
    """Only the fields given change."""

    url: Url | None = None
    enabled: bool | None = Field(default=None, description="false pauses deliveries; true resumes them")


class WebhookOut(Out):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    company_ids: list[uuid.UUID] | None
    enabled: bool
    failing_since: datetime | None = Field(description="first failure since the last success")
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="whsec_…: verify signatures with it; shown only now")


class AttemptOut(Out):
    at: datetime = Field(validation_alias="created_at")
    status_code: int | None
    duration_ms: int
    error: str | None
    response_excerpt: str | None


class DeliveryOut(Out):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subject_id: uuid.UUID
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None = Field(description="set while pending")
    delivered_at: datetime | None
    replay_of: uuid.UUID | None
    created_at: datetime
    log: list[AttemptOut]


class ReplayRange(Body):
    since: datetime
    until: datetime | None = Field(default=None, description="exclusive; default: now")

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps need a timezone (e.g. 2026-01-01T00:00:00Z)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> ReplayRange:
        if self.until is not None and self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class ReplayOut(BaseModel):
    replayed: int = Field(description="deliveries scheduled, in event order")


class EventOut(Out):
    id: uuid.UUID
    type: str
    timestamp: datetime = Field(validation_alias="created_at")
    company_id: uuid.UUID | None
    subject_type: str
    subject_id: uuid.UUID
    data: dict[str, Any]


class Page(BaseModel):
    next_cursor: str | None


class WebhookPage(Page):
    items: list[WebhookOut]


class DeliveryPage(Page):
    items: list[DeliveryOut]


class EventFeed(BaseModel):
    items: list[EventOut]
    next_cursor: str | None = Field(
        description="resume here: set after every non-empty page, so a poller never loses its place"
    )
    has_more: bool = Field(description="more events are already available after next_cursor")
