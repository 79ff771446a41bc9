"""Writes of the sync app: appending events to the outbox."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from payables.sync.event_types import EVENT_TYPES
from payables.sync.models import Event
from payables.tenancy.actors import Actor
from payables.tenancy.services import take_next_value

EVENT_COUNTER = "event"


def record_event(
    event_type: str, *, actor: Actor, subject_type: str, subject_id: UUID, payload: dict
) -> Event:
    """Append an event inside the caller's transaction.

    Call it last in a service: it takes the company's event counter lock, which is then
    held only for the moment until commit.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Undeclared event type {event_type!r}; add it to sync/event_types.py")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    return Event.objects.create(
        company=actor.company,
        sequence=take_next_value(actor.company, EVENT_COUNTER),
        type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor.label,
        payload=payload,
    )
