"""Webhook endpoints: subscriptions, their confirmation, secret and deliveries."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.events.webhooks.queries import (
    deliveries,
    get_delivery,
    get_subscription,
    subscriptions,
)
from payables.events.webhooks.schemas import (
    ConfirmedOut,
    DeliveryFilters,
    DeliveryOut,
    SecretOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from payables.events.webhooks.services import (
    confirm_subscription,
    create_subscription,
    delete_subscription,
    redeliver_message,
    resend_confirmation,
    rotate_secret,
    update_subscription,
)
from payables.schema_types import Page, PageParams, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["webhooks"])
read = scoped("webhooks:read")
write = scoped("webhooks:write")


@router.post("", response={201: WebhookCreatedOut}, auth=write)
def create(request: HttpRequest, payload: WebhookIn) -> Status[object]:
    """Subscribe a target to event types (`*` for all).

    The subscription starts `pending`: the target at once receives a signed
    `SubscriptionConfirmation` message whose `data.confirm_url` it must open (GET)
    before any event is sent to it. The answer holds the signing `secret`, shown only here.
    """
    return Status(201, create_subscription(payload.model_dump(), actor=request.actor))


@router.get("/confirm/{token}", response=ConfirmedOut, auth=None, url_name="webhook_confirm")
def confirm(request: HttpRequest, token: str) -> dict:
    """Confirm a subscription: the link sent to its target (no API key; the token is the proof)."""
    subscription = confirm_subscription(token)
    return {
        "id": subscription.pk,
        "state": subscription.state,
        "detail": f"Subscription {subscription.name!r} is {subscription.state}.",
    }


@router.get("", response=Page[WebhookOut], auth=read)
def list_webhooks(request: HttpRequest, params: Query[PageParams]) -> dict:
    page, count = paginate(subscriptions(request.actor.company), params)
    return {"items": page, "count": count}


@router.get("/{webhook_id}", response=WebhookOut, auth=read)
def get(request: HttpRequest, webhook_id: UUID) -> object:
    return get_subscription(request.actor.company, webhook_id)


@router.patch("/{webhook_id}", response=WebhookOut, auth=write)
def update(request: HttpRequest, webhook_id: UUID, payload: WebhookPatch) -> object:
    """Change a subscription. A new `target` is `pending` until it confirms again."""
    subscription = get_subscription(request.actor.company, webhook_id)
    return update_subscription(
        subscription, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@router.delete("/{webhook_id}", response={204: None}, auth=write)
def delete(request: HttpRequest, webhook_id: UUID) -> Status[None]:
    """Unsubscribe: nothing more is sent, not even messages still queued."""
    delete_subscription(get_subscription(request.actor.company, webhook_id), actor=request.actor)
    return Status(204, None)


@router.post("/{webhook_id}/resend-confirmation", response={202: WebhookOut}, auth=write)
def resend(request: HttpRequest, webhook_id: UUID) -> Status[object]:
    """Send the target a new confirmation request (a not yet confirmed subscription only).

    For a target that missed the first (it was down until the attempts ran out). The new
    request has a new confirm URL; earlier ones stop working. A subscription paused before
    its target confirmed is `pending` again. 409 once the target has confirmed.
    """
    subscription = get_subscription(request.actor.company, webhook_id)
    return Status(202, resend_confirmation(subscription, actor=request.actor))


@router.post("/{webhook_id}/rotate-secret", response=SecretOut, auth=write)
def rotate(request: HttpRequest, webhook_id: UUID) -> dict:
    """Replace the signing secret; the new one is shown only here and signs every later attempt."""
    subscription = get_subscription(request.actor.company, webhook_id)
    subscription = rotate_secret(subscription, actor=request.actor)
    return {"id": subscription.pk, "secret": subscription.secret}


@router.get("/{webhook_id}/deliveries", response=Page[DeliveryOut], auth=read)
def list_deliveries(
    request: HttpRequest, webhook_id: UUID, filters: Query[DeliveryFilters]
) -> dict:
    """Messages to this subscription, newest first, each with every attempt.

    `state=dead` lists the dead letters: every attempt of the schedule failed.
    """
    subscription = get_subscription(request.actor.company, webhook_id)
    page, count = paginate(deliveries(subscription, state=filters.state), filters)
    return {"items": page, "count": count}


@router.get("/{webhook_id}/deliveries/{delivery_id}", response=DeliveryOut, auth=read)
def get_one_delivery(request: HttpRequest, webhook_id: UUID, delivery_id: UUID) -> object:
    subscription = get_subscription(request.actor.company, webhook_id)
    return get_delivery(subscription, delivery_id)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response={202: DeliveryOut},
    auth=write,
)
def redeliver(request: HttpRequest, webhook_id: UUID, delivery_id: UUID) -> Status[object]:
    """Queue a dead (or delivered) message again with a fresh schedule; same `webhook-id`."""
    subscription = get_subscription(request.actor.company, webhook_id)
    message = get_delivery(subscription, delivery_id)
    redeliver_message(message, actor=request.actor)
    return Status(202, get_delivery(subscription, delivery_id))
