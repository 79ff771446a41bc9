"""Storing events, and the rows only ever inserted beside them, in bulk: now, or when a
batch of changes ends (``deferred_writes``).

A batch that writes many invoices in one transaction records an event and an audit entry
(and its hooks perhaps more) for each. Inside ``deferred_writes`` these are kept in memory
in the order they were recorded and stored when the block ends without an error: the
events with one counter update, one insert and one fan-out, the other rows with one insert
per table. What the database ends up holding is what it would hold had each been written
at once (the same sequences, the same order of ids), provided nothing in the block reads
them back: the block is for code that only appends to the trail.

A row or event recorded inside a savepoint that rolls back is dropped with it, as the
database would have dropped it: each one is marked by a no-op commit callback, which
Django forgets exactly when that savepoint rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Model

from payables.events.models import Event
from payables.events.webhooks.fanout import fan_out_events
from payables.tenancy.models import Company
from payables.tenancy.services import take_next_values

EVENT_COUNTER = "event"

# The open buffers of this context, by company id (one per outermost ``deferred_writes``).
_buffers: ContextVar[dict | None] = ContextVar("payables_deferred_writes", default=None)


def store_events(company: Company, events: Sequence[Event]) -> list[Event]:
    """Give unsaved events of one company consecutive sequences in their order, insert them
    and create their webhook messages (one read of the subscriptions, one insert)."""
    events = list(events)
    if not events:
        return []
    last = take_next_values(company, EVENT_COUNTER, len(events))
    for offset, event in enumerate(events):
        event.sequence = last - len(events) + 1 + offset
    if transaction.get_connection().features.can_return_rows_from_bulk_insert:
        Event.objects.bulk_create(events)
    else:  # SQLite before 3.35 gives no ids back from a bulk insert; messages need them
        for event in events:
            event.save(force_insert=True)
    fan_out_events(events, company=company)
    return events


@contextmanager
def deferred_writes(company: Company) -> Iterator[None]:
    """Keep the company's events and deferred rows (``defer_insert``) recorded inside in
    memory; store them when the block ends without an error. Nests: the outermost stores.

    Must run inside the transaction of the change, which holds the company's write lock.
    """
    if company.pk in _open():
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("deferred_writes must run inside the transaction of the change")
    buffer = _Buffer(company)
    token = _buffers.set(_open() | {company.pk: buffer})
    try:
        yield
        buffer.flush()
    finally:
        _buffers.reset(token)


def defer_insert(*objs: Model, company: Company) -> bool:
    """Keep unsaved rows to insert when the company's ``deferred_writes`` block ends; False
    when no such block is open (the caller inserts them now)."""
    buffer = _open().get(company.pk)
    if buffer is None:
        return False
    buffer.add(objs)
    return True


def defer_events(events: Sequence[Event], *, company: Company) -> bool:
    """Keep unsaved events like ``defer_insert``; False when no block is open."""
    return defer_insert(*events, company=company)


def flush_deferred(company: Company) -> None:
    """Store what the open block kept so far (before a change that what follows must see)."""
    buffer = _open().get(company.pk)
    if buffer is not None:
        buffer.flush()


def _open() -> dict:
    return _buffers.get() or {}


class _Marker:
    """A no-op commit callback: pending while the savepoint it was made in stands."""

    def __call__(self) -> None:
        """Nothing to do on commit."""


class _Buffer:
    """What one ``deferred_writes`` block kept, in the order it was recorded."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.kept: list[tuple[_Marker, Sequence[Model]]] = []

    def add(self, objs: Sequence[Model]) -> None:
        marker = _Marker()
        transaction.get_connection().on_commit(marker)
        self.kept.append((marker, objs))

    def flush(self) -> None:
        pending = {id(func) for _, func, _ in transaction.get_connection().run_on_commit}
        kept = [obj for marker, objs in self.kept if id(marker) in pending for obj in objs]
        self.kept = []
        by_model: dict[type[Model], list[Model]] = {}
        for obj in kept:
            by_model.setdefault(type(obj), []).append(obj)
        events = by_model.pop(Event, [])
        for model, rows in by_model.items():
            model.objects.bulk_create(rows)
        store_events(self.company, events)
