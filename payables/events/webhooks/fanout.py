"""Fan-out: an event becomes one message per subscription that wants it, in the event's
transaction, and their delivery is queued when that transaction commits. Its body is the
standard one, or the subscription's vendor format (``formats``).

It owns the message body (``message_body``, ``encode_body``) and the queuing of delivery
tasks (``enqueue_deliveries``, also used for retries); ``delivery`` makes the attempts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

from django.db import transaction

from payables.events.batch_reads import batch_read, declare
from payables.events.models import Event, WebhookMessage, WebhookSubscription
from payables.events.webhooks.formats import STANDARD, MessageFormat, installed_format
from payables.tenancy.models import Company

logger = logging.getLogger(__name__)

ALL_TYPES = "*"
Active = WebhookSubscription.State.ACTIVE
# What fan-out reads of a company's subscriptions (once per write batch).
ACTIVE_SUBSCRIPTIONS = declare(
    "webhook_subscription",
    lambda company: WebhookSubscription.objects.filter(company_id=company.pk, state=Active).only(
        "id", "company_id", "name", "event_types", "message_format"
    ),
)


def wants(subscription: WebhookSubscription, event_type: str) -> bool:
    """Tell whether a subscription asked for events of this type."""
    types = subscription.event_types
    return ALL_TYPES in types or event_type in types


def message_body(message_type: str, at: datetime, data: dict) -> dict:
    """Shape a message as Standard Webhooks suggests: ``{type, timestamp, data}``."""
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": message_type, "timestamp": stamp, "data": data}


def encode_body(payload: dict) -> bytes:
    """The exact bytes sent and signed (compact JSON, UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def fan_out_events(events: Sequence[Event], *, company: Company) -> list[WebhookMessage]:
    """Create the events' messages for the company's active subscriptions that want their type.

    Runs in the transaction that records the events, so a change and its messages
    commit together; their tasks are queued after commit. The subscriptions are read
    once per call, or once per write batch (``batch_reads``): a company without active
    subscriptions costs one indexed query per batch.
    """
    active = batch_read(company, ACTIVE_SUBSCRIPTIONS)
    if not active:
        return []
    messages = []
    for event in events:
        subscriptions = [s for s in active if wants(s, event.type)]
        if subscriptions:
            messages += _messages(event, subscriptions)
    if not messages:
        return []
    messages = WebhookMessage.objects.bulk_create(messages)
    queue_deliveries_after_commit([message.pk for message in messages])
    return messages


def _messages(event: Event, subscriptions: list[WebhookSubscription]) -> list[WebhookMessage]:
    data = {
        "cursor": str(event.sequence),
        "subject_type": event.subject_type,
        "subject_id": str(event.subject_id),
        "actor": event.actor,
        "payload": event.payload,
    }
    body = message_body(event.type, event.created_at, data)
    messages = []
    for subscription in subscriptions:
        message_id = uuid4()
        vendor = installed_format(subscription.message_format)
        if vendor is None and subscription.message_format != STANDARD:
            logger.warning(
                "Webhook format %r is not installed; subscription %s gets the standard body",
                subscription.message_format,
                subscription.pk,
            )
        messages.append(
            WebhookMessage(
                id=message_id,
                subscription=subscription,
                event=event,
                type=event.type,
                payload=(
                    body
                    if vendor is None
                    else _vendor_body(vendor, event, subscription, message_id, body)
                ),
                next_attempt_at=event.created_at,
            )
        )
    return messages


def _vendor_body(
    vendor: MessageFormat,
    event: Event,
    subscription: WebhookSubscription,
    message_id: UUID,
    standard: dict,
) -> dict:
    """The vendor's body; should its renderer fail, the standard one (logged): a webhook
    body must never undo the change that the event records."""
    try:
        return vendor.notification(event, subscription, message_id)
    except Exception:
        logger.exception(
            "Webhook format %r failed on event %s; sending the standard body", vendor.name, event.pk
        )
        return standard


def queue_deliveries_after_commit(message_ids: list[UUID]) -> None:
    """Queue delivery of these messages once the transaction commits: one task for all.

    One task per transaction, not per message: a bulk load's thousand events travel in
    a few claim and record transactions. ``robust``: an enqueue that fails must not undo
    the committed change; the sweep delivers whatever lost its task.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        enqueue_deliveries(message_ids)
        return
    batch = getattr(connection, _BATCH_ATTRIBUTE, None)
    # ``run_on_commit`` holds the callbacks still to run: a batch whose callback went
    # with a rolled-back savepoint (or an earlier transaction) is not reused.
    if batch is not None and any(func == batch.flush for _, func, _ in connection.run_on_commit):
        batch.message_ids.extend(message_ids)
        return
    batch = _Batch(list(message_ids))
    setattr(connection, _BATCH_ATTRIBUTE, batch)
    transaction.on_commit(batch.flush, robust=True)


_BATCH_ATTRIBUTE = "_payables_webhook_batch"


class _Batch:
    """Messages of one transaction, queued together when it commits."""

    def __init__(self, message_ids: list[UUID]) -> None:
        self.message_ids = message_ids

    def flush(self) -> None:
        enqueue_deliveries(self.message_ids)


def enqueue_deliveries(message_ids: list[UUID], run_after: datetime | None = None) -> None:
    """Queue one delivery task for these messages, at once or (a retry) at ``run_after``."""
    # Imported here: the task module imports this one, as a doorway imports its service.
    from payables.events.tasks import deliver_webhooks

    task = deliver_webhooks
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the sweep (deliver_due) makes the attempt when it is due
        task = task.using(run_after=run_after)
    task.enqueue([str(message_id) for message_id in message_ids])
