"""Background entry points of the events app (django-tasks): ids in, one service call."""

from __future__ import annotations

from uuid import UUID

from django_tasks import task

from payables.events.webhooks.delivery import deliver_messages, sweep_webhooks


@task()
def deliver_webhooks(message_ids: list[str]) -> int:
    """Make the attempts of these messages that are due; failures queue their own retry."""
    return deliver_messages([UUID(message_id) for message_id in message_ids])


@task()
def sweep_webhook_deliveries() -> int:
    """Make every due attempt that has no task of its own; queues the next sweep first."""
    return sweep_webhooks()
