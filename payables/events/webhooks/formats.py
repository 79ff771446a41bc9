"""Message formats: the body a subscription's messages carry.

payables' own, ``standard``, is Standard Webhooks' ``{type, timestamp, data}`` (built by
``fanout``). An edge that serves a vendor's webhooks (``payables.compat``) installs the
vendor's body at start-up and names it on the subscriptions it makes. Whatever the body,
the engine signs (``webhook-*`` headers), retries, lets messages die and runs the
confirmation handshake: a format only shapes the JSON.

The confirmation request is stored with its token elided (``confirmation.ELIDED``); the
engine puts the token in wherever the format wrote the elided marker, when it sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from payables.events.models import Event, WebhookSubscription

STANDARD = "standard"


@dataclass(frozen=True)
class MessageFormat:
    """How one vendor's webhook bodies look.

    ``notification(event, subscription, message_id)`` is the body of an event's message;
    ``confirmation(subscription, message_id, at, confirm_url)`` the body of the request
    to confirm the subscription (``confirm_url`` with the token elided). Both run in the
    writer's transaction and may read, never write.
    """

    name: str
    notification: Callable[[Event, WebhookSubscription, UUID], dict]
    confirmation: Callable[[WebhookSubscription, UUID, datetime, str], dict]


_INSTALLED: dict[str, MessageFormat] = {}


def install_format(message_format: MessageFormat) -> None:
    """Install a vendor's format (from its app's ``ready``); installing again replaces it."""
    if message_format.name == STANDARD:
        raise ValueError("The standard format is the engine's own.")
    _INSTALLED[message_format.name] = message_format


def installed_format(name: str) -> MessageFormat | None:
    """The installed format of that name; None for ``standard`` and for unknown names."""
    return _INSTALLED.get(name)
