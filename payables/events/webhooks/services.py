"""Webhook subscriptions: create, confirm, change, rotate the secret, delete; redeliver.

A new subscription (or a new target) is ``pending`` until its target opens the
confirm URL sent to it: payables pushes events only to receivers that asked for them.
Every change of a subscription is an event (``webhook_subscription.*``), never carrying
the secret. Input is plain data, its shape checked at the edge (``WebhookIn``/``WebhookPatch``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.events.event_types import (
    EVENT_TYPES,
    WEBHOOK_MESSAGE_REDELIVERED,
    WEBHOOK_SUBSCRIPTION_CONFIRMED,
    WEBHOOK_SUBSCRIPTION_CREATED,
    WEBHOOK_SUBSCRIPTION_DELETED,
    WEBHOOK_SUBSCRIPTION_SECRET_ROTATED,
    WEBHOOK_SUBSCRIPTION_UPDATED,
)
from payables.events.models import WebhookMessage, WebhookSubscription
from payables.events.services import lock_company_writes, record_event
from payables.events.webhooks.confirmation import (
    ELIDED,
    confirm_url,
    confirmation_token,
    token_hash,
)
from payables.events.webhooks.delivery import queue_sweep
from payables.events.webhooks.errors import (
    ConfirmationNotFound,
    ConfirmationRefused,
    RedeliveryRefused,
    StateChangeRefused,
)
from payables.events.webhooks.fanout import ALL_TYPES, message_body, queue_deliveries_after_commit
from payables.events.webhooks.formats import STANDARD, installed_format
from payables.events.webhooks.signing import generate_secret
from payables.events.webhooks.targets import TargetRefused, check_target
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

State = WebhookSubscription.State


def create_subscription(data: Mapping[str, Any], *, actor: Actor) -> WebhookSubscription:
    """Create a pending subscription and send its target the confirmation request.

    ``data`` has ``name``, ``event_types``, ``target`` and (None or left out: the server's)
    ``retry_schedule``; a vendor's compatible API also names its ``message_format``. The
    returned subscription carries its new ``secret``; the API shows it this once.
    """
    event_types = _checked_event_types(data["event_types"])
    message_format = data.get("message_format") or STANDARD
    if message_format != STANDARD and installed_format(message_format) is None:
        raise ValueError(f"The webhook message format {message_format!r} is not installed.")
    _check_target(data["target"])  # may resolve DNS: before the transaction, not inside it
    with transaction.atomic():
        lock_company_writes(actor.company)
        confirmation_id = uuid4()
        subscription = WebhookSubscription.objects.create(
            company=actor.company,
            name=data["name"],
            target=data["target"],
            event_types=event_types,
            secret=generate_secret(),
            confirm_token_hash=token_hash(confirmation_token(confirmation_id)),
            retry_schedule=data.get("retry_schedule"),
            message_format=message_format,
        )
        _request_confirmation(subscription, confirmation_id)
        _record(WEBHOOK_SUBSCRIPTION_CREATED, subscription, actor)
    logger.info("Webhook subscription %s created by %s", subscription.pk, actor.label)
    return subscription


def confirm_subscription(token: str, *, now: datetime | None = None) -> WebhookSubscription:
    """Activate the subscription whose confirm URL carries ``token``; again is harmless.

    A subscription paused (``disabled``) before its target confirmed stays paused, but
    is confirmed: it can then be resumed. The confirmation request is delivered (the
    target opened its URL), so it is not tried again, whatever the target answered it.
    """
    candidate = (
        WebhookSubscription.objects.select_related("company")
        .filter(confirm_token_hash=token_hash(token))
        .first()
    )
    if candidate is None:
        raise ConfirmationNotFound()
    with transaction.atomic():
        lock_company_writes(candidate.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=candidate.pk)
        _settle_confirmation_requests(subscription, now or timezone.now())
        if subscription.state == State.PENDING or subscription.confirmed_at is None:
            if subscription.state == State.PENDING:
                subscription.state = State.ACTIVE
                # The first active subscription starts the sweep that backs up delivery tasks.
                transaction.on_commit(queue_sweep, robust=True)
            subscription.confirmed_at = now or timezone.now()
            subscription.save(update_fields=["state", "confirmed_at", "updated_at"])
            _record(
                WEBHOOK_SUBSCRIPTION_CONFIRMED,
                subscription,
                Actor.system(subscription.company, "webhook target (confirm URL)"),
            )
            logger.info("Webhook subscription %s confirmed", subscription.pk)
    return subscription


def update_subscription(
    subscription: WebhookSubscription, changes: Mapping[str, Any], *, actor: Actor
) -> WebhookSubscription:
    """Change the fields given (``changes`` holds only those); a None schedule resets it.

    A new target is pending again until it confirms.
    """
    given = set(changes)
    nulls = [
        FieldError("This field cannot be null.", loc=[name], code="null_not_allowed")
        for name in ("name", "event_types", "target", "state")
        if name in given and changes[name] is None
    ]
    if nulls:
        raise ValidationFailed(nulls)
    event_types = _checked_event_types(changes["event_types"]) if "event_types" in given else None
    new_target = "target" in given and changes["target"] != subscription.target
    if new_target:
        _check_target(changes["target"])
        if changes.get("state") == State.ACTIVE:
            raise StateChangeRefused("A new target is confirmed through its confirm URL.")
    with transaction.atomic():
        lock_company_writes(actor.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if "name" in given:
            subscription.name = changes["name"]
        if event_types is not None:
            subscription.event_types = event_types
        if "retry_schedule" in given:
            subscription.retry_schedule = changes["retry_schedule"]
        if "state" in given:
            _change_state(subscription, changes["state"])
        if new_target:
            confirmation_id = uuid4()
            subscription.target = changes["target"]
            subscription.state, subscription.confirmed_at = State.PENDING, None
            subscription.confirm_token_hash = token_hash(confirmation_token(confirmation_id))
            subscription.failing_since = None
        subscription.save()
        if new_target:
            _request_confirmation(subscription, confirmation_id)
        _record(
            WEBHOOK_SUBSCRIPTION_UPDATED,
            subscription,
            actor,
            changed_fields=sorted(given),
        )
    return subscription


def resend_confirmation(subscription: WebhookSubscription, *, actor: Actor) -> WebhookSubscription:
    """Send the target a new confirmation request, e.g. when it was down for the first.

    Only for a subscription its target has not confirmed; one paused before it confirmed
    is pending again. The new request carries a new confirm URL: the old one stops working,
    and a request still queued is dropped.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.confirmed_at is not None:
            raise ConfirmationRefused(
                "The target has confirmed this subscription already; nothing to resend."
            )
        confirmation_id = uuid4()
        subscription.state, subscription.disabled_at = State.PENDING, None
        subscription.confirm_token_hash = token_hash(confirmation_token(confirmation_id))
        subscription.save(
            update_fields=["state", "disabled_at", "confirm_token_hash", "updated_at"]
        )
        _request_confirmation(subscription, confirmation_id)
        _record(WEBHOOK_SUBSCRIPTION_UPDATED, subscription, actor, changed_fields=["confirmation"])
    logger.info("Webhook subscription %s: confirmation resent by %s", subscription.pk, actor.label)
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
        if message.type == WebhookMessage.CONFIRMATION:
            raise RedeliveryRefused(
                "A confirmation request is not redelivered: POST …/resend-confirmation "
                "sends a new one while the subscription is not confirmed."
            )
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


def _request_confirmation(subscription: WebhookSubscription, message_id: UUID) -> WebhookMessage:
    """Queue the signed ``SubscriptionConfirmation`` message, the one a pending target gets.

    Its confirm URL is stored with the token elided (the API and the admin show the
    payload); the token is made from ``message_id`` when the message is sent. Requests
    still queued for an earlier target or token are dropped (dead): their URL is void,
    and it must never reach a new target.
    """
    now = timezone.now()
    WebhookMessage.objects.filter(
        subscription=subscription,
        type=WebhookMessage.CONFIRMATION,
        state=WebhookMessage.State.PENDING,
    ).update(state=WebhookMessage.State.DEAD, dead_at=now, next_attempt_at=None)
    vendor = installed_format(subscription.message_format)
    if vendor is not None:
        payload = vendor.confirmation(subscription, message_id, now, confirm_url(ELIDED))
    else:
        data = {
            "subscription_id": str(subscription.pk),
            "name": subscription.name,
            "event_types": subscription.event_types,
            "confirm_url": confirm_url(ELIDED),
            "message": "Open confirm_url (GET) to start receiving these events.",
        }
        payload = message_body(WebhookMessage.CONFIRMATION, now, data)
    message = WebhookMessage.objects.create(
        id=message_id,
        subscription=subscription,
        type=WebhookMessage.CONFIRMATION,
        payload=payload,
        next_attempt_at=now,
    )
    queue_deliveries_after_commit([message.pk])
    return message


def _settle_confirmation_requests(subscription: WebhookSubscription, now: datetime) -> None:
    """Mark the subscription's pending confirmation request delivered: its target confirmed.

    A target may open the URL and still answer the request with an error or too late;
    without this its retries would go on after the handshake was done.
    """
    WebhookMessage.objects.filter(
        subscription=subscription,
        type=WebhookMessage.CONFIRMATION,
        state=WebhookMessage.State.PENDING,
    ).update(state=WebhookMessage.State.DELIVERED, delivered_at=now, next_attempt_at=None)


def _change_state(subscription: WebhookSubscription, state: str) -> None:
    """Pause or resume. Only a subscription its target has confirmed can be active."""
    if state == subscription.state:
        return
    if state == State.ACTIVE and subscription.confirmed_at is None:
        raise StateChangeRefused(
            "The target has not confirmed this subscription: it becomes active when the "
            "target opens the confirm URL sent to it (POST …/resend-confirmation sends it again)."
        )
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
