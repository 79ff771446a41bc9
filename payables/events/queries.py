"""Company-scoped reads of the event feed."""

from __future__ import annotations

from payables.events.feeds import EVENTS, FeedPage, read_feed
from payables.events.models import Event
from payables.tenancy.models import Company


def events_after(company: Company, cursor: str | None, *, limit: int) -> FeedPage[Event]:
    """The company's events after the cursor, oldest first."""
    return read_feed(EVENTS, Event.objects.filter(company=company), cursor, limit=limit)
