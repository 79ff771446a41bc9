"""Shapes of the webhook API: subscriptions, their secret, deliveries and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.events.event_types import EVENT_TYPES
from payables.events.webhooks.fanout import ALL_TYPES
from payables.schema_types import InSchema, PageParams

# Checked by the service (each unknown one located); the enum tells clients which exist.
EventTypeName = Annotated[
    str,
    Field(min_length=1, max_length=50, json_schema_extra={"enum": [ALL_TYPES, *EVENT_TYPES]}),
]
# Seconds between attempts: one attempt, then one retry per entry (at most a day apart).
RetrySchedule = Annotated[
    list[Annotated[int, Field(ge=1, le=86_400)]], Field(min_length=1, max_length=20)
]


class WebhookIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    event_types: list[EventTypeName] = Field(
        min_length=1,
        max_length=100,
        description="Event types to receive (see /events), or `*` for all.",
    )
    target: str = Field(
        min_length=1, max_length=2000, description="http(s) URL that receives the POSTs."
    )
    retry_schedule: RetrySchedule | None = Field(
        None, description="Seconds between attempts; the server's schedule when absent."
    )


class WebhookPatch(InSchema):
    """Change what is given. A new `target` must be confirmed again; `null` schedule resets."""

    name: str | None = Field(None, min_length=1, max_length=200)
    event_types: list[EventTypeName] | None = Field(None, min_length=1, max_length=100)
    target: str | None = Field(None, min_length=1, max_length=2000)
    retry_schedule: RetrySchedule | None = None
    state: Literal["active", "disabled"] | None = Field(
        None, description="Pause (`disabled`) or resume (`active`) a confirmed subscription."
    )


class WebhookOut(Schema):
    id: UUID
    name: str
    target: str
    event_types: list[str]
    state: str
    retry_schedule: list[int] | None
    message_format: str = Field(
        description="`standard`, or the vendor format of a subscription a compatible API made."
    )
    failing_since: datetime | None
    confirmed_at: datetime | None
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret (`whsec_…`): shown this once.")


class SecretOut(Schema):
    id: UUID
    secret: str = Field(description="The new signing secret: shown this once.")


class ConfirmedOut(Schema):
    id: UUID
    state: str
    detail: str


class AttemptOut(Schema):
    number: int
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str
    response_body: str


class DeliveryOut(Schema):
    id: UUID = Field(description="The `webhook-id` header: the same on every attempt.")
    type: str
    state: str
    event_cursor: str | None
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None
    payload: dict
    attempts: list[AttemptOut]

    @staticmethod
    def resolve_event_cursor(message: object) -> str | None:
        event = getattr(message, "event", None)
        return str(event.sequence) if event is not None else None

    @staticmethod
    def resolve_attempts(message: object) -> list:
        return list(message.attempts.all())


class DeliveryFilters(PageParams):
    state: Literal["pending", "delivered", "dead"] | None = None
