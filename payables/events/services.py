"""Writes of the events app: appending events to the outbox (and fanning them out to webhooks)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from payables.events.event_types import EVENT_TYPES
from payables.events.models import Event
from payables.events.webhooks.fanout import fan_out_event
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import lock_counter, take_next_value

EVENT_COUNTER = "event"


def lock_company_writes(company: Company) -> None:
    """Queue this transaction behind the company's other writes before it locks anything else.

    Every write records an event, and so holds the company's event-counter lock until it
    commits. Taking that lock first gives every writer one lock order (event counter,
    then invoice counter, numbering policy, invoice rows): two writers can wait for each
    other but never deadlock. Writes of different companies do not wait at all.
    """
    lock_counter(company, EVENT_COUNTER)


def record_event(
    event_type: str, *, actor: Actor, subject_type: str, subject_id: UUID, payload: dict
) -> Event:
    """Append an event inside the caller's transaction.

    The service has called ``lock_company_writes`` at its start, so this takes no new lock.
    The event's webhook messages are created here too, in the same transaction (outbox):
    a change is never committed without them.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Undeclared event type {event_type!r}; add it to events/event_types.py")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    event = Event.objects.create(
        company=actor.company,
        sequence=take_next_value(actor.company, EVENT_COUNTER),
        type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor.label,
        payload=payload,
    )
    fan_out_event(event)
    return event
