"""Company-scoped reads of webhook subscriptions and their deliveries."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from payables.events.models import WebhookAttempt, WebhookMessage, WebhookSubscription
from payables.events.webhooks.errors import DeliveryNotFound, SubscriptionNotFound
from payables.tenancy.models import Company


def subscriptions(company: Company) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(company=company).order_by("created_at", "id")


def get_subscription(company: Company, subscription_id: UUID) -> WebhookSubscription:
    """The company's subscription; another company's is not found (404, never 403)."""
    found = subscriptions(company).filter(pk=subscription_id).first()
    if found is None:
        raise SubscriptionNotFound()
    return found


def deliveries(
    subscription: WebhookSubscription, *, state: str | None = None
) -> QuerySet[WebhookMessage]:
    """The subscription's messages, newest first, with their event and attempts."""
    found = subscription.messages.select_related("event").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
    )
    if state:
        found = found.filter(state=state)
    return found.order_by("-created_at", "-id")


def get_delivery(subscription: WebhookSubscription, delivery_id: UUID) -> WebhookMessage:
    found = deliveries(subscription).filter(pk=delivery_id).first()
    if found is None:
        raise DeliveryNotFound()
    return found
