"""Writes of the events app: appending events to the outbox (and fanning them out to webhooks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction

from payables.events.batch_reads import forget_batch_reads, is_declared
from payables.events.event_types import EVENT_TYPES
from payables.events.models import Event
from payables.events.outbox import EVENT_COUNTER, defer_events, flush_deferred, store_events
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import lock_counter


def lock_company_writes(company: Company) -> None:
    """Queue this transaction behind the company's other writes before it locks anything else.

    Every write records an event, and so holds the company's event-counter lock until it
    commits. Taking that lock first gives every writer one lock order (event counter,
    then invoice counter, numbering policy, invoice rows): two writers can wait for each
    other but never deadlock. Writes of different companies do not wait at all. Asking
    again in a transaction that holds the lock costs no statement.
    """
    lock_counter(company, EVENT_COUNTER)


@dataclass(frozen=True)
class NewEvent:
    """One event to record with ``record_events``."""

    type: str
    subject_type: str
    subject_id: UUID
    payload: dict = field(default_factory=dict)


def record_event(
    event_type: str, *, actor: Actor, subject_type: str, subject_id: UUID, payload: dict
) -> Event:
    """Append an event inside the caller's transaction.

    The service has called ``lock_company_writes`` at its start, so this takes no new lock.
    The event's webhook messages are created here too, in the same transaction (outbox):
    a change is never committed without them.
    """
    return record_events([NewEvent(event_type, subject_type, subject_id, payload)], actor=actor)[0]


def record_events(events: Sequence[NewEvent], *, actor: Actor) -> list[Event]:
    """Append several events of one actor in a few statements, as ``record_event`` does one.

    Their sequences are consecutive, in the given order; their webhook messages are
    created together (one read of the subscriptions, one insert). Inside the company's
    ``outbox.deferred_writes`` they are stored when that block ends, and answered unsaved
    until then.
    """
    for new in events:
        if new.type not in EVENT_TYPES:
            raise ValueError(f"Undeclared event type {new.type!r}; add it to events/event_types.py")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    if not events:
        return []
    company = actor.company
    subject_types = {new.subject_type for new in events}
    if any(is_declared(subject_type) for subject_type in subject_types):
        # A change of a setting that fan-out or a batch's writes read: what was recorded
        # before it is stored (and fanned out) as it was before the change.
        flush_deferred(company)
    for subject_type in subject_types:
        forget_batch_reads(company, subject_type)  # the change may be to what a batch read
    stored = [
        Event(
            company=company,
            type=new.type,
            subject_type=new.subject_type,
            subject_id=new.subject_id,
            actor=actor.label,
            payload=new.payload,
        )
        for new in events
    ]
    if defer_events(stored, company=company):
        return stored
    return store_events(company, stored)
