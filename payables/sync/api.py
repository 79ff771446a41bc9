"""The event feed: every change of the company, ascending, paged by cursor."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from payables.sync.queries import MAX_PAGE, events_after
from payables.sync.schemas import EventOut, EventPage
from payables.tenancy.auth import scoped

router = Router(tags=["events"])


class FeedParams(Schema):
    from_: str | None = Field(
        None,
        alias="from",
        pattern=r"^[0-9]{0,18}$",
        description="Cursor from a previous page's `next` (or `cursor`); empty for the start.",
    )
    limit: int = Field(100, ge=1, le=MAX_PAGE)


@router.get("", response=EventPage, auth=scoped("events:read"))
def list_events(request: HttpRequest, params: Query[FeedParams]) -> EventPage:
    """Events after the cursor, oldest first. Follow `next` until it is null; store `cursor`."""
    events, more = events_after(request.actor.company, params.from_, limit=params.limit)
    items = [
        EventOut(
            cursor=str(e.sequence),
            type=e.type,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            actor=e.actor,
            created_at=e.created_at,
            payload=e.payload,
        )
        for e in events
    ]
    position = items[-1].cursor if items else (params.from_ or None)
    return EventPage(items=items, next=position if more else None, cursor=position)
