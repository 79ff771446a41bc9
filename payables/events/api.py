"""The event feed: every change of the company. Domain feeds (the exported invoices)
mount their own routes at `/feeds`.

Feeds page by cursor, ascending: follow `next` until it is null, store `cursor`.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from payables.events.queries import event_values_after
from payables.events.schemas import EventFeedParams, EventPage
from payables.json_encoding import PreciseJSONEncoder, moment_text
from payables.tenancy.auth import scoped

router = Router(tags=["events"])
feeds_router = Router(tags=["feeds"])


@router.get("", response=EventPage, auth=scoped("events:read"))
def list_events(request: HttpRequest, params: Query[EventFeedParams]) -> HttpResponse:
    """Events after the cursor, oldest first. Follow `next` until it is null; store `cursor`."""
    return _event_page(request, params)


@feeds_router.get("/events", response=EventPage, auth=scoped("events:read"))
def event_feed(request: HttpRequest, params: Query[EventFeedParams]) -> HttpResponse:
    """The event feed, as at `/events`."""
    return _event_page(request, params)


def _event_page(request: HttpRequest, params: EventFeedParams) -> HttpResponse:
    """The page (``EventPage``) built from plain values and written as it is: validating
    it again would cost more than reading it. Ids and moments go in as the encoder would
    write them (its call back for each costs more than the rest of the event)."""
    page = event_values_after(request.actor.company, params.from_, limit=params.limit)
    items = [
        {
            "cursor": cursor,
            "type": e["type"],
            "subject_type": e["subject_type"],
            "subject_id": str(e["subject_id"]),
            "actor": e["actor"],
            "created_at": moment_text(e["created_at"]),
            "payload": e["payload"],
        }
        for e, cursor in zip(page.items, page.cursors, strict=True)
    ]
    body = {"items": items, "next": page.next, "cursor": page.cursor}
    return HttpResponse(
        json.dumps(body, cls=PreciseJSONEncoder), content_type="application/json; charset=utf-8"
    )
