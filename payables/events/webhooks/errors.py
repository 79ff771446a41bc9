"""Refusals of the webhook services, with stable codes."""

from __future__ import annotations

from payables.errors import Conflict, NotFound


class SubscriptionNotFound(NotFound):
    """No such subscription in the caller's company (another company's is not found either)."""

    code = "webhook_not_found"
    default_message = "Webhook subscription not found."


class DeliveryNotFound(NotFound):
    """No such message for this subscription."""

    code = "delivery_not_found"
    default_message = "Delivery not found."


class ConfirmationNotFound(NotFound):
    """The confirm URL's token belongs to no subscription (mistyped, or the target changed)."""

    code = "confirmation_not_found"
    default_message = "This confirmation link is not valid (any more)."


class ConfirmationRefused(Conflict):
    """The subscription is confirmed already: there is no confirmation to send again."""

    code = "confirmation_refused"


class RedeliveryRefused(Conflict):
    """The message is still queued, or its subscription cannot receive it now."""

    code = "redelivery_refused"


class StateChangeRefused(Conflict):
    """A subscription becomes active only once its target has confirmed it."""

    code = "webhook_state_refused"
