"""Shapes of the event feed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema


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
