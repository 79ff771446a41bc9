"""Shapes of the feeds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.events.feeds import MAX_PAGE


class FeedParams(Schema):
    from_: str | None = Field(
        None,
        alias="from",
        max_length=100,
        description="Cursor from a previous page's `next` (or `cursor`); empty for the start.",
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE)


class EventFeedParams(FeedParams):
    from_: str | None = Field(
        None,
        alias="from",
        pattern=r"^[0-9]{0,18}$",
        description="Cursor from a previous page's `next` (or `cursor`); empty for the start.",
    )


class EventOut(Schema):
    cursor: str
    type: str
    subject_type: str
    subject_id: UUID
    actor: str
    created_at: datetime
    payload: dict


class EventPage(Schema):
    items: list[EventOut]
    next: str | None = None
    cursor: str | None = None
