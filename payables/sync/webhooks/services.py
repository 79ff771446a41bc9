"""Webhook subscriptions: create, confirm, change, rotate the secret, delete; redeliver.

A new subscription (or a new target) is ``pending`` until its target opens the
confirm URL sent to it: payables pushes events only to receivers that asked for them.
Subscription changes record no event (no event type is declared for them yet).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.sync.event_types import (
    EVENT_TYPES,
    WEBHOOK_MESSAGE_REDELIVERED,
    WEBHOOK_SUBSCRIPTION_CONFIRMED,
    WEBHOOK_SUBSCRIPTION_CREATED,
    WEBHOOK_SUBSCRIPTION_DELETED,
    WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
    WEBHOOK_SUBSCRIPTION_UPDATED,
)
from payables.sync.models import WebhookMessage, WebhookSubscription
from payables.sync.services import lock_company_writes, record_event
from payables.sync.webhooks.dispatch import (
    ALL_TYPES,
    message_body,
    queue_deliveries_after_commit,
    queue_sweep,
)
from payables.sync.webhooks.errors import (
    ConfirmationNotFound,
    RedeliveryRefused,
    StateChangeRefused,
)
from payables.sync.webhooks.schemas import WebhookIn, WebhookPatch
from payables.sync.webhooks.signing import generate_secret
from payables.sync.webhooks.targets import TargetRefused, check_target
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

State = WebhookSubscription.State


def create_subscription(data: WebhookIn, *, actor: Actor) -> WebhookSubscription:
    """Create a pending subscription and send its target the confirmation request.

    The returned subscription carries its new ``secret``; the API shows it this once.
    """
    event_types = _checked_event_types(data.event_types)
    _check_target(data.target)  # may resolve DNS: before the transaction, not inside it
    with transaction.atomic():
        lock_company_writes(actor.company)
        token = secrets.token_urlsafe(32)
        subscription = WebhookSubscription.objects.create(
            company=actor.company,
            name=data.name,
            target=data.target,
            event_types=event_types,
            secret=generate_secret(),
            confirm_token_hash=_token_hash(token),
            retry_schedule=data.retry_schedule,
        )
        _request_confirmation(subscription, token)
        _record(WEBHOOK_SUBSCRIPTION_CREATED, subscription, actor)
    logger.info("Webhook subscription %s created by %s", subscription.pk, actor.label)
    return subscription


def confirm_subscription(token: str, *, now: datetime | None = None) -> WebhookSubscription:
    """Activate the subscription whose confirm URL carries ``token``; again is harmless."""
    candidate = (
        WebhookSubscription.objects.select_related("company")
        .filter(confirm_token_hash=_token_hash(token))
        .first()
    )
    if candidate is None:
        raise ConfirmationNotFound()
    with transaction.atomic():
        lock_company_writes(candidate.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=candidate.pk)
        if subscription.state == State.PENDING:
            subscription.state = State.ACTIVE
            subscription.confirmed_at = now or timezone.now()
            subscription.save(update_fields=["state", "confirmed_at", "updated_at"])
            # The first active subscription starts the sweep that backs up delivery tasks.
            transaction.on_commit(queue_sweep, robust=True)
            _record(
                WEBHOOK_SUBSCRIPTION_CONFIRMED,
                subscription,
                Actor.system(subscription.company, "webhook target (confirm URL)"),
            )
            logger.info("Webhook subscription %s confirmed", subscription.pk)
    return subscription


def update_subscription(
    subscription: WebhookSubscription, data: WebhookPatch, *, actor: Actor
) -> WebhookSubscription:
    """Change the fields given. A new target is pending again until it confirms."""
    given = data.model_fields_set
    nulls = [
        FieldError("This field cannot be null.", loc=[name], code="null_not_allowed")
        for name in ("name", "event_types", "target", "state")
        if name in given and getattr(data, name) is None
    ]
    if nulls:
        raise ValidationFailed(nulls)
    event_types = _checked_event_types(data.event_types) if "event_types" in given else None
    new_target = "target" in given and data.target != subscription.target
    if new_target:
        _check_target(data.target)
        if data.state == State.ACTIVE:
            raise StateChangeRefused("A new target is confirmed through its confirm URL.")
    with transaction.atomic():
        lock_company_writes(actor.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if "name" in given:
            subscription.name = data.name
        if event_types is not None:
            subscription.event_types = event_types
        if "retry_schedule" in given:
            subscription.retry_schedule = data.retry_schedule
        if "state" in given:
            _change_state(subscription, data.state)
        if new_target:
            token = secrets.token_urlsafe(32)
            subscription.target = data.target
            subscription.state, subscription.confirmed_at = State.PENDING, None
            subscription.confirm_token_hash = _token_hash(token)
            subscription.failing_since = None
        subscription.save()
        if new_target:
            _request_confirmation(subscription, token)
        _record(
            WEBHOOK_SUBSCRIPTION_UPDATED,
            subscription,
            actor,
            changed_fields=sorted(given),
        )
    return subscription


def rotate_secret(subscription: WebhookSubscription, *, actor: Actor) -> WebhookSubscription:
    """Give the subscription a new signing secret; messages from now on are signed with it."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.secret = generate_secret()
        subscription.save(update_fields=["secret", "updated_at"])
        _record(WEBHOOK_SUBSCRIPTION_SECRET_ROTATED, subscription, actor)
    logger.info("Webhook subscription %s: secret rotated by %s", subscription.pk, actor.label)
    return subscription


def delete_subscription(subscription: WebhookSubscription, *, actor: Actor) -> None:
    """Unsubscribe: the subscription goes, with its messages still queued and their history."""
    with transaction.atomic():
        lock_company_writes(actor.company)
        _record(WEBHOOK_SUBSCRIPTION_DELETED, subscription, actor)
        WebhookSubscription.objects.filter(pk=subscription.pk).delete()
    logger.info("Webhook subscription %s deleted by %s", subscription.pk, actor.label)


def redeliver_message(
    message: WebhookMessage, *, actor: Actor, now: datetime | None = None
) -> WebhookMessage:
    """Queue a dead (or delivered) message again, with a fresh retry schedule.

    It keeps its id, so a receiver that got it before recognises it by ``webhook-id``.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        message = (
            WebhookMessage.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .get(pk=message.pk)
        )
        if message.state == WebhookMessage.State.PENDING:
            raise RedeliveryRefused("The message is still queued for delivery.")
        if message.subscription.state != State.ACTIVE:
            raise RedeliveryRefused(
                f"The subscription is {message.subscription.state}: it receives nothing now."
            )
        message.state = WebhookMessage.State.PENDING
        message.attempts_in_round = 0
        message.next_attempt_at = now or timezone.now()
        message.delivered_at = message.dead_at = None
        message.save(
            update_fields=[
                "state",
                "attempts_in_round",
                "next_attempt_at",
                "delivered_at",
                "dead_at",
            ]
        )
        queue_deliveries_after_commit([message.pk])
        record_event(
            WEBHOOK_MESSAGE_REDELIVERED,
            actor=actor,
            subject_type="webhook_subscription",
            subject_id=message.subscription_id,
            payload={"message_id": str(message.pk), "type": message.type},
        )
    logger.info("Webhook message %s queued again by %s", message.pk, actor.label)
    return message


def _record(
    event_type: str, subscription: WebhookSubscription, actor: Actor, **extra: object
) -> None:
    """Record a change of a subscription; the payload never carries the secret."""
    record_event(
        event_type,
        actor=actor,
        subject_type="webhook_subscription",
        subject_id=subscription.pk,
        payload={
            "id": str(subscription.pk),
            "name": subscription.name,
            "target": subscription.target,
            "event_types": subscription.event_types,
            "state": subscription.state,
        }
        | extra,
    )


def confirm_url(token: str) -> str:
    """The absolute URL the target opens (GET) to confirm; built on ``PAYABLES_BASE_URL``."""
    path = reverse("api:webhook_confirm", kwargs={"token": token})
    return settings.BASE_URL.rstrip("/") + path


def _request_confirmation(subscription: WebhookSubscription, token: str) -> WebhookMessage:
    """Queue the signed ``SubscriptionConfirmation`` message, the one a pending target gets."""
    data = {
        "subscription_id": str(subscription.pk),
        "name": subscription.name,
        "event_types": subscription.event_types,
        "confirm_url": confirm_url(token),
        "message": "Open confirm_url (GET) to start receiving these events.",
    }
    now = timezone.now()
    message = WebhookMessage.objects.create(
        subscription=subscription,
        type=WebhookMessage.CONFIRMATION,
        payload=message_body(WebhookMessage.CONFIRMATION, now, data),
        next_attempt_at=now,
    )
    queue_deliveries_after_commit([message.pk])
    return message


def _change_state(subscription: WebhookSubscription, state: str) -> None:
    """Pause or resume. Only the confirm URL turns a pending subscription active."""
    if state == subscription.state:
        return
    if subscription.state == State.PENDING and state == State.ACTIVE:
        raise StateChangeRefused("A pending subscription is activated through its confirm URL.")
    subscription.state = state
    if state == State.DISABLED:
        subscription.disabled_at = timezone.now()
    else:
        subscription.disabled_at = subscription.failing_since = None


def _checked_event_types(event_types: list[str]) -> list[str]:
    """Refuse undeclared types, each at its own place; drop repeats."""
    errors = [
        FieldError(
            f"Unknown event type {name!r}; use `*` or one of the types the events feed lists.",
            loc=["event_types", index],
            code="unknown_event_type",
        )
        for index, name in enumerate(event_types)
        if name != ALL_TYPES and name not in EVENT_TYPES
    ]
    if errors:
        raise ValidationFailed(errors)
    return list(dict.fromkeys(event_types))


def _check_target(url: str) -> None:
    try:
        check_target(url, allow_private=settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE)
    except TargetRefused as exc:
        raise FieldError(str(exc), loc=["target"], code="target_refused") from None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
