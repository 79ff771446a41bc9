"""Company-scoped reads of the event feed."""

from __future__ import annotations

from typing import Any

from payables.events.feeds import EVENTS, FeedPage, read_feed
from payables.events.models import Event
from payables.tenancy.models import Company


def events_after(company: Company, cursor: str | None, *, limit: int) -> FeedPage[Event]:
    """The company's events after the cursor, oldest first."""
    return read_feed(EVENTS, Event.objects.filter(company=company), cursor, limit=limit)


# What the event feed's page shows of an event, read as plain values.
EVENT_VALUES = ("sequence", "type", "subject_type", "subject_id", "actor", "created_at", "payload")


def event_values_after(
    company: Company, cursor: str | None, *, limit: int
) -> FeedPage[dict[str, Any]]:
    """As ``events_after``, each event a dict of ``EVENT_VALUES``."""
    rows = Event.objects.filter(company=company).values(*EVENT_VALUES)
    return read_feed(EVENTS, rows, cursor, limit=limit)
