"""Cursor-paged feeds: rows in ascending key order, read page by page from ``from`` to ``next``.

Every feed orders its rows by a key that is unique and only grows in commit order (the
event sequence; an invoice's ``(exported_at, id)``). A cursor is the key of the last row
a page gave out, so a client that stores ``next`` and restarts from it neither skips nor
repeats a row. How a key is written into the cursor is the feed's own business.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from payables.errors import FieldError
from payables.events.models import FeedClock

# A feed's rows: model instances, or the dicts of a ``.values()`` queryset (pages written
# from plain values).
M = TypeVar("M", bound=Model | dict[str, Any])
Key = tuple[Any, ...]

MAX_PAGE = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Feed:
    """How one feed orders its rows and writes its cursor.

    ``decode`` raises ``ValueError`` for a string it did not write, and may return None
    for a cursor that means the start.
    """

    keys: tuple[str, ...]
    encode: Callable[[Key], str]
    decode: Callable[[str], Key | None]


@dataclass(frozen=True)
class FeedPage(Generic[M]):
    """A page of rows; ``cursor`` is the position after it, ``next`` only when more may exist."""

    items: list[M]
    cursors: list[str]
    next: str | None
    cursor: str | None


def read_feed(feed: Feed, rows: QuerySet[M], cursor: str | None, *, limit: int) -> FeedPage[M]:
    """Return up to ``limit`` rows after ``cursor`` in key order.

    A cursor no row ever had (made up, or another company's) would silently skip the rows
    still to come, so it is refused: a page that comes out empty must start right after
    an existing row.
    """
    position = _decode(feed, cursor)
    after = rows if position is None else rows.filter(_after(feed.keys, position))
    found = list(after.order_by(*feed.keys)[: limit + 1])
    if not found and position is not None and not rows.filter(**_at(feed.keys, position)).exists():
        raise invalid_cursor()
    page = found[:limit]
    cursors = [feed.encode(_key(feed.keys, row)) for row in page]
    at = cursors[-1] if cursors else (cursor or None)
    return FeedPage(items=page, cursors=cursors, next=at if len(found) > limit else None, cursor=at)


def _key(keys: Sequence[str], row: Model | dict[str, Any]) -> Key:
    if isinstance(row, dict):
        return tuple(row[k] for k in keys)
    return tuple(getattr(row, k) for k in keys)


def _decode(feed: Feed, cursor: str | None) -> Key | None:
    if not cursor:
        return None
    try:
        return feed.decode(cursor)
    except ValueError:
        raise invalid_cursor() from None


def _at(keys: Sequence[str], position: Key) -> dict[str, Any]:
    return dict(zip(keys, position, strict=True))


def _after(keys: Sequence[str], position: Key) -> Q | TupleGreaterThan:
    """Rows whose key tuple is greater than ``position``: a row-value comparison, which
    PostgreSQL serves as one range of the feed's index (SQLite gets the same condition
    spelled out)."""
    if len(keys) == 1:
        return Q(**{f"{keys[0]}__gt": position[0]})
    return TupleGreaterThan(Tuple(*(F(key) for key in keys)), tuple(position))


def next_feed_time(name: str, *, after: datetime | None = None) -> datetime:
    """Now, but in a later millisecond than anything the feed ``name`` gave out (and than
    ``after``).

    Inside the writer's transaction, as its last lock: the feed's clock row stays locked
    until the commit, so stamps follow commit order across companies, and a reader of
    several companies' rows never finds a smaller stamp appear behind its cursor. A
    millisecond apart, because readers may keep only the millisecond of the last row they
    saw (JavaScript dates; the digitization service's ``from=<timestamp>``): a row
    committed after their read must not share it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_feed_time must run inside the transaction of the change")
    clock = FeedClock.objects.select_for_update().filter(name=name).first()
    if clock is None:
        try:
            with transaction.atomic():
                clock = FeedClock.objects.create(name=name)
        except IntegrityError:  # created concurrently: wait for it
            clock = FeedClock.objects.select_for_update().get(name=name)
    at = timezone.now()
    for earlier in (clock.last_at, after):
        if earlier is not None:
            at = max(at, earlier - timedelta(microseconds=earlier.microsecond % 1000) + MILLISECOND)
    clock.last_at = at
    clock.save(update_fields=["last_at"])
    return at


def invalid_cursor() -> FieldError:
    return FieldError(
        "Not a cursor this feed gave out", loc=["query", "from"], code="invalid_cursor"
    )


def encode_sequence(key: Key) -> str:
    """A sequence number as its decimal digits (the event feed's cursor since its start)."""
    return str(key[0])


def decode_sequence(value: str) -> Key | None:
    """Read a sequence cursor ("0" is the start); ``isdigit()`` alone would pass "²"."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValueError(value)
    return (int(value),) if int(value) else None


def encode_time_and_id(key: Key) -> str:
    """An opaque cursor for a ``(datetime, UUID)`` key: microseconds and hex, urlsafe base64.

    >>> key = (datetime(2026, 1, 1, tzinfo=UTC), UUID(int=1))
    >>> encode_time_and_id(key)
    'MTc2NzIyNTYwMDAwMDAwMC4wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMQ'
    >>> decode_time_and_id(encode_time_and_id(key)) == key
    True
    """
    at, row_id = key
    micros = (at - EPOCH) // timedelta(microseconds=1)
    raw = f"{micros}.{row_id.hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_time_and_id(value: str) -> Key:
    if len(value) > 100:
        raise ValueError(value)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(value) from None
    micros, _, hex_id = raw.partition(".")
    if not (micros.isascii() and micros.isdigit() and len(micros) <= 18 and len(hex_id) == 32):
        raise ValueError(value)
    try:
        return EPOCH + timedelta(microseconds=int(micros)), UUID(hex=hex_id)
    except OverflowError:
        raise ValueError(value) from None


EVENTS = Feed(keys=("sequence",), encode=encode_sequence, decode=decode_sequence)
