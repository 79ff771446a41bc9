"""Webhook subscriptions ``{name, eventType, target}`` over payables' webhook engine.

A subscription is payables' own (``/api/v1/webhooks`` lists it too) with the SNS-style
body of ``messages``, the events of its ``eventType`` and the description's retries.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from payables.compat.digitization.messages import (
    EVENT_TYPES,
    FORMAT,
    RETRY_SCHEDULE,
    vendor_event_type,
)
from payables.compat.digitization.schemas import (
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionsOut,
)
from payables.events.models import WebhookSubscription
from payables.events.webhooks.errors import SubscriptionNotFound
from payables.events.webhooks.queries import subscriptions
from payables.events.webhooks.services import create_subscription, delete_subscription
from payables.tenancy.actors import Actor
from payables.tenancy.auth import scoped
from payables.tenancy.queries import company_by_code, company_code

router = Router(tags=["digitization service: webhooks"])


def _out(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.pk,
        "name": subscription.name,
        "eventType": vendor_event_type(subscription),
        "target": subscription.target,
        "companycode": company_code(subscription.company),
        "state": subscription.state,
        "retries": subscription.retry_schedule or [],
    }


def _ours(actor: Actor) -> list[WebhookSubscription]:
    """The key's companies' subscriptions made here (not the native API's)."""
    found = []
    for company in actor.companies:
        found += list(subscriptions(company).filter(message_format=FORMAT))
    return found


def _get(actor: Actor, subscription_id: UUID) -> WebhookSubscription:
    for subscription in _ours(actor):
        if subscription.pk == subscription_id:
            return subscription
    raise SubscriptionNotFound()


@router.post("", response={201: SubscriptionCreatedOut}, auth=scoped("webhooks:write"))
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status[dict]:
    """Subscribe `target` to `on_digitized` or `on_exported`.

    The target at once gets a POST with `"Type": "SubscriptionConfirmation"`; a GET of
    its `SubscribeURL` confirms. Then each event is a `"Type": "Notification"` POST,
    retried up to 10 times from 20 s to 10 min. Every POST carries Standard Webhooks
    headers, verifiable with the `secret` answered here (only here).
    """
    company = company_by_code(request.actor, payload.companycode, loc=["body", "companycode"])
    actor = request.actor.acting_for(company)
    data = {
        "name": payload.name,
        "event_types": EVENT_TYPES[payload.eventType],
        "target": payload.target,
        "retry_schedule": RETRY_SCHEDULE,
        "message_format": FORMAT,
    }
    subscription = create_subscription(data, actor=actor)
    return Status(201, _out(subscription) | {"secret": subscription.secret})


@router.get("", response=SubscriptionsOut, auth=scoped("webhooks:read"))
def list_subscriptions(request: HttpRequest) -> dict:
    return {"subscriptions": [_out(s) for s in _ours(request.actor)]}


@router.get("/{subscription_id}", response=SubscriptionOut, auth=scoped("webhooks:read"))
def get_subscription(request: HttpRequest, subscription_id: UUID) -> dict:
    return _out(_get(request.actor, subscription_id))


@router.delete("/{subscription_id}", response={204: None}, auth=scoped("webhooks:write"))
def unsubscribe(request: HttpRequest, subscription_id: UUID) -> Status[None]:
    """Unsubscribe: nothing more is sent."""
    subscription = _get(request.actor, subscription_id)
    delete_subscription(subscription, actor=request.actor.acting_for(subscription.company))
    return Status(204, None)
