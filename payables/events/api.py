"""The event feed: every change of the company. Domain feeds (the exported invoices)
mount their own routes at `/feeds`.

Feeds page by cursor, ascending: follow `next` until it is null, store `cursor`.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from payables.events.queries import events_after
from payables.events.schemas import EventFeedParams, EventOut, EventPage
from payables.tenancy.auth import scoped

router = Router(tags=["events"])
feeds_router = Router(tags=["feeds"])


@router.get("", response=EventPage, auth=scoped("events:read"))
def list_events(request: HttpRequest, params: Query[EventFeedParams]) -> EventPage:
    """Events after the cursor, oldest first. Follow `next` until it is null; store `cursor`."""
    return _event_page(request, params)


@feeds_router.get("/events", response=EventPage, auth=scoped("events:read"))
def event_feed(request: HttpRequest, params: Query[EventFeedParams]) -> EventPage:
    """The event feed, as at `/events`."""
    return _event_page(request, params)


def _event_page(request: HttpRequest, params: EventFeedParams) -> EventPage:
    page = events_after(request.actor.company, params.from_, limit=params.limit)
    items = [
        EventOut(
            cursor=cursor,
            type=e.type,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            actor=e.actor,
            created_at=e.created_at,
            payload=e.payload,
        )
        for e, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return EventPage(items=items, next=page.next, cursor=page.cursor)
