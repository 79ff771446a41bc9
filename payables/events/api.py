"""The feeds: every change of the company (events), and invoices handed to accounting.

Both page by cursor, ascending: follow `next` until it is null, store `cursor`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router

from payables.events.queries import events_after, exported_after
from payables.events.schemas import (
    EventFeedParams,
    EventOut,
    EventPage,
    ExportedDocumentOut,
    ExportedPage,
    FeedParams,
)
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


@feeds_router.get("/exported", response=ExportedPage, auth=scoped("export:read"))
def exported_feed(request: HttpRequest, params: Query[FeedParams]) -> ExportedPage:
    """Exported invoices as complete documents, in the order they were exported.

    Each document carries header, rows with their coding, VAT breakdown, attachments
    (files with a `download_url`, which needs `invoices:read`), the approval chain and
    `document_id` ("<invoice id>/<export_count>"). A re-export puts the invoice at the end
    again, with `reexport` true. Follow `next` until it is null; store `cursor` with the
    data of the page, and start from it next time: nothing is skipped or repeated.
    """
    page = exported_after(request.actor.company, params.from_, limit=params.limit)
    items = [
        ExportedDocumentOut.from_invoice(invoice, cursor=cursor, base_url=settings.BASE_URL)
        for invoice, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return ExportedPage(items=items, next=page.next, cursor=page.cursor)


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
