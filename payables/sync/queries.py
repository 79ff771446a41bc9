"""Company-scoped reads of the event feed."""

from __future__ import annotations

from payables.errors import FieldError
from payables.sync.models import Event
from payables.tenancy.models import Company

MAX_PAGE = 500


def parse_cursor(value: str | None) -> int:
    """Turn an opaque cursor back into a position; the empty cursor is the start."""
    if not value:
        return 0
    if not value.isdigit() or len(value) > 18:
        raise FieldError(
            "Not a cursor this feed gave out", loc=["query", "from"], code="invalid_cursor"
        )
    return int(value)


def events_after(company: Company, cursor: str | None, *, limit: int) -> tuple[list[Event], bool]:
    """Return up to ``limit`` events after the cursor, oldest first, and whether more may exist."""
    position = parse_cursor(cursor)
    events = list(
        Event.objects.filter(company=company, sequence__gt=position).order_by("sequence")[
            : limit + 1
        ]
    )
    return events[:limit], len(events) > limit
