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
    # isdigit() alone would let through digits such as "²" that int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise _not_a_cursor()
    return int(value)


def events_after(company: Company, cursor: str | None, *, limit: int) -> tuple[list[Event], bool]:
    """Return up to ``limit`` events after the cursor, oldest first, and whether more may exist.

    A cursor past the company's last event was never given out (another company's, or
    made up): refusing it beats silently skipping the events still to come.
    """
    position = parse_cursor(cursor)
    events = list(
        Event.objects.filter(company=company, sequence__gt=position).order_by("sequence")[
            : limit + 1
        ]
    )
    if (
        not events
        and position
        and not Event.objects.filter(company=company, sequence=position).exists()
    ):
        raise _not_a_cursor()
    return events[:limit], len(events) > limit


def _not_a_cursor() -> FieldError:
    return FieldError(
        "Not a cursor this feed gave out", loc=["query", "from"], code="invalid_cursor"
    )
