"""The queues' ``from`` / ``next``: the last document's timestamp, safe when several share it.

The description's client remembers the last document's ``digitizedat``/``exportedat`` (to
the millisecond) and asks for what came after it. Documents can share a millisecond
(an export of many invoices shares one ``exported_at``), so a timestamp alone would skip
or repeat those that a page boundary splits. (Separate commits never share one: the
feed's clock, ``events.feeds.next_feed_time``, stamps them a millisecond apart, so a
document committed after a read is never in the millisecond the reader kept.) Hence:

* ``from=<ISO timestamp>`` gives the documents of the *following* milliseconds;
* a page never ends inside a millisecond: it takes the rest of that millisecond's
  documents (up to twice the page size), so its ``next``, the last document's
  timestamp, skips and repeats nothing;
* only when one millisecond holds more documents than that does ``next`` become an
  opaque cursor (the native feed's: time to the microsecond and document id), which
  ``from`` accepts too. A client that stores ``next`` as given never notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar
from uuid import UUID

from django.db.models import Model, Q, QuerySet

from payables.compat.digitization.documents import stamp_text
from payables.errors import FieldError
from payables.events.feeds import decode_time_and_id, encode_time_and_id

M = TypeVar("M", bound=Model)
MILLISECOND = timedelta(milliseconds=1)
Position = tuple[datetime, UUID | None]
START, END = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
_OFFSET_SPACE = re.compile(r" ([0-9]{2}:?[0-9]{2})$")


@dataclass(frozen=True)
class QueuePage(Generic[M]):
    items: list[M]
    next: str | None


def millisecond(at: datetime) -> datetime:
    """The start of the millisecond ``at`` falls in.

    >>> millisecond(datetime(2019, 11, 26, 12, 30, 47, 373999, tzinfo=UTC)).microsecond
    373000
    """
    return at - timedelta(microseconds=at.microsecond % 1000)


def read_from(value: str | None) -> Position | None:
    """``from`` as a position: (timestamp, None) or (time, id) of an opaque cursor.

    >>> read_from("2019-11-26T12:30:47.373Z")
    (datetime.datetime(2019, 11, 26, 12, 30, 47, 373000, tzinfo=datetime.timezone.utc), None)
    >>> read_from("2019-11-26")[0].isoformat(), read_from("2019-11-26T14:00 02:00")[0].hour
    ('2019-11-26T00:00:00+00:00', 12)
    """
    if not value:
        return None
    try:
        # A "+" of the UTC offset that was not URL-encoded arrives as a space.
        at = datetime.fromisoformat(_OFFSET_SPACE.sub(r"+\1", value.strip()))
    except ValueError:
        pass
    else:
        return _in_utc(at), None
    try:
        return decode_time_and_id(value)
    except ValueError:
        raise FieldError(
            "Give the last document's timestamp (ISO 8601, e.g. 2019-11-26T12:30:47.373Z) "
            "or a page's next as it was given.",
            loc=["query", "from"],
            code="invalid_cursor",
        ) from None


def _in_utc(at: datetime) -> datetime:
    """``at`` in UTC (naive: UTC already); past either end of the calendar, that end.

    >>> _in_utc(datetime.fromisoformat("0001-01-01T00:00:00+05:00")) == START
    True
    """
    try:
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # before year 1 or after year 9999 once in UTC
        return START if at.year == 1 else END


def read_queue(rows: QuerySet[M], stamp: str, value: str | None, *, limit: int) -> QueuePage[M]:
    """The rows after ``from`` by (``stamp``, id), a page of about ``limit`` (see above)."""
    position = read_from(value)
    after = rows
    if position is not None:
        at, row_id = position
        if row_id is None and at >= millisecond(END):  # no millisecond follows
            return QueuePage(items=[], next=None)
        if row_id is None:  # a timestamp: its millisecond was read to the end
            after = rows.filter(**{f"{stamp}__gte": millisecond(at) + MILLISECOND})
        else:
            after = rows.filter(Q(**{f"{stamp}__gt": at}) | Q(**{stamp: at, "id__gt": row_id}))
    found = list(after.order_by(stamp, "id")[: 2 * limit + 1])
    page = found[:limit]
    if not page:
        return QueuePage(items=[], next=None)

    def ms(row: M) -> datetime:
        return millisecond(getattr(row, stamp))

    while len(page) < min(len(found), 2 * limit) and ms(found[len(page)]) == ms(page[-1]):
        page.append(found[len(page)])
    if len(found) == len(page):
        return QueuePage(items=page, next=None)
    last = page[-1]
    if ms(found[len(page)]) != ms(last):
        return QueuePage(items=page, next=stamp_text(getattr(last, stamp)))
    return QueuePage(items=page, next=encode_time_and_id((getattr(last, stamp), last.pk)))
