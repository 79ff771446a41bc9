"""Webhook dispatch: events fanned out to messages, attempts, retries, dead letters.

**Time.** Every function here takes ``now`` (default: the wall clock). The worker's
tasks pass nothing; tests pass a clock they move on, so a schedule of minutes runs in
milliseconds and none of our code is mocked. ``deliver_due(now=…)`` makes every
attempt that is due by ``now``.

**Scheduling.** After commit each new message gets a delivery task. A failed attempt
queues the next one with ``run_after`` where the task backend can defer (the database
backend; the immediate backend of the tests cannot). The sweep task (every
``PAYABLES_WEBHOOK_SWEEP_SECONDS``) runs ``deliver_due`` and so catches what lost its
task: a crash between commit and enqueue, a failed enqueue, or a backend that cannot
defer. Delivery is at least once; receivers dedupe by ``webhook-id`` (the message id).

**Claims.** An attempt first moves the message's ``next_attempt_at`` forward by a lease
(timeout plus a margin) in a short transaction, then talks HTTP with no transaction
open, then records the outcome. Two workers never try one message at once, and a
worker that dies mid-attempt leaves a message that is due again after the lease.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from payables.sync.event_types import WEBHOOK_SUBSCRIPTION_DISABLED
from payables.sync.models import Event, WebhookAttempt, WebhookMessage, WebhookSubscription
from payables.sync.services import lock_company_writes, record_event
from payables.sync.webhooks.delivery import Outcome, post_message
from payables.sync.webhooks.signing import sign
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

ALL_TYPES = "*"
LEASE_MARGIN = timedelta(seconds=30)
CLAIM_BATCH = 20
Active = WebhookSubscription.State.ACTIVE
Pending = WebhookMessage.State.PENDING


@dataclass(frozen=True)
class Claim:
    """A message this worker holds the lease on, with what its attempt needs."""

    message_id: UUID
    company_id: int
    target: str
    secret: str
    body: bytes


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


def fan_out_event(event: Event) -> list[WebhookMessage]:
    """Create the event's messages for the company's active subscriptions that want its type.

    Runs in the transaction that records the event, so a change and its messages
    commit together; their tasks are queued after commit. A company without active
    subscriptions costs one indexed query.
    """
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            company_id=event.company_id, state=Active
        ).only("id", "event_types")
        if wants(subscription, event.type)
    ]
    if not subscriptions:
        return []
    data = {
        "cursor": str(event.sequence),
        "subject_type": event.subject_type,
        "subject_id": str(event.subject_id),
        "actor": event.actor,
        "payload": event.payload,
    }
    body = message_body(event.type, event.created_at, data)
    messages = WebhookMessage.objects.bulk_create(
        WebhookMessage(
            subscription=subscription,
            event=event,
            type=event.type,
            payload=body,
            next_attempt_at=event.created_at,
        )
        for subscription in subscriptions
    )
    queue_deliveries_after_commit([message.pk for message in messages])
    return messages


def queue_deliveries_after_commit(message_ids: list[UUID]) -> None:
    """Queue delivery of these messages once the transaction commits: one task for all.

    One task per transaction, not per message: a bulk load's thousand events travel in
    a few claim and record transactions. ``robust``: an enqueue that fails must not undo
    the committed change; the sweep delivers whatever lost its task.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue(message_ids)
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
        _enqueue(self.message_ids)


def _enqueue(message_ids: list[UUID], run_after: datetime | None = None) -> None:
    # Imported here: the task module imports this one, as a doorway imports its service.
    from payables.sync.tasks import deliver_webhooks

    task = deliver_webhooks
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the sweep (deliver_due) makes the attempt when it is due
        task = task.using(run_after=run_after)
    task.enqueue([str(message_id) for message_id in message_ids])


def deliver_messages(message_ids: list[UUID], *, now: datetime | None = None) -> int:
    """Make the next attempt of each message due by ``now``; return how many were made.

    A message not pending, not yet due, claimed by another worker, or of a subscription
    that may not receive it now (not confirmed, disabled, deleted) is left alone.
    """
    now = now or timezone.now()
    made = 0
    for start in range(0, len(message_ids), CLAIM_BATCH):
        batch = message_ids[start : start + CLAIM_BATCH]
        claims = _claim(WebhookMessage.objects.filter(pk__in=batch), now, limit=len(batch))
        made += _attempt_all(claims, now)
    return made


def deliver_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Make every attempt that is due by ``now`` (at most ``limit``); return how many ran.

    This is the sweep: the task runner calls it periodically, tests call it with
    their clock. Several workers may sweep at once: each claims its own batch.
    """
    now = now or timezone.now()
    made = 0
    while limit is None or made < limit:
        size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - made)
        claims = _claim(WebhookMessage.objects.all(), now, limit=size)
        if not claims:
            break
        made += _attempt_all(claims, now)
    return made


def _deliverable(messages: QuerySet, now: datetime) -> QuerySet:
    """Messages due by ``now`` whose subscription may receive them.

    A pending (unconfirmed) subscription receives its confirmation request and nothing else.
    """
    return messages.filter(state=Pending, next_attempt_at__lte=now).filter(
        Q(subscription__state=Active)
        | Q(
            subscription__state=WebhookSubscription.State.PENDING,
            type=WebhookMessage.CONFIRMATION,
        )
    )


def _claim(messages: QuerySet, now: datetime, *, limit: int) -> list[Claim]:
    """Take the lease on up to ``limit`` due messages; others' leases are skipped, not awaited.

    The lease covers the whole batch: its attempts run one after the other.
    """
    with transaction.atomic():
        claimed = list(
            _deliverable(messages, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .order_by("next_attempt_at")[:limit]
        )
        if not claimed:
            return []
        timeout = timedelta(seconds=settings.PAYABLES_WEBHOOK_TIMEOUT_SECONDS)
        WebhookMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            next_attempt_at=now + timeout * len(claimed) + LEASE_MARGIN
        )
    return [
        Claim(
            m.pk,
            m.subscription.company_id,
            m.subscription.target,
            m.subscription.secret,
            encode_body(m.payload),
        )
        for m in claimed
    ]


def _attempt_all(claims: list[Claim], now: datetime) -> int:
    """POST each claimed message (no transaction open meanwhile), then record the outcomes."""
    outcomes = [(claim, _post(claim, now)) for claim in claims]
    by_company: dict[int, list[tuple[Claim, Outcome]]] = {}
    for claim, outcome in outcomes:
        by_company.setdefault(claim.company_id, []).append((claim, outcome))
    for company_outcomes in by_company.values():
        record_attempts({claim.message_id: outcome for claim, outcome in company_outcomes}, now=now)
    return len(outcomes)


def _post(claim: Claim, now: datetime) -> Outcome:
    message_id = str(claim.message_id)
    timestamp = int(now.timestamp())
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            claim.secret, message_id=message_id, timestamp=timestamp, body=claim.body
        ),
    }
    outcome = post_message(
        claim.target,
        claim.body,
        headers,
        timeout=settings.PAYABLES_WEBHOOK_TIMEOUT_SECONDS,
        max_response_bytes=settings.PAYABLES_WEBHOOK_MAX_RESPONSE_BYTES,
        allow_private=settings.PAYABLES_WEBHOOK_ALLOW_PRIVATE,
    )
    if not outcome.ok:
        logger.info("Webhook message %s failed: %s", message_id, outcome.error)
    return outcome


MESSAGE_FIELDS = [
    "attempt_count",
    "attempts_in_round",
    "state",
    "delivered_at",
    "dead_at",
    "next_attempt_at",
]


def record_attempts(outcomes: dict[UUID, Outcome], *, now: datetime) -> list[WebhookMessage]:
    """Store attempts of one company's messages; move each on: delivered, retried, or dead.

    One transaction. Successes alone take no company lock (they record no event), so
    deliveries do not queue behind the company's other writes. A failure may disable a
    subscription and record an event, so then the company's write lock comes first, as
    for every writer.
    """
    with transaction.atomic():
        if not all(outcome.ok for outcome in outcomes.values()):
            found = (
                WebhookMessage.objects.filter(pk__in=list(outcomes))
                .select_related("subscription__company")
                .first()
            )
            if found is None:
                return []
            lock_company_writes(found.subscription.company)
        messages = list(
            WebhookMessage.objects.select_for_update(of=("self",))
            .select_related("subscription__company")
            .filter(pk__in=list(outcomes))
            .order_by("pk")
        )  # a message deleted with its subscription meanwhile is simply not there
        shared: dict[UUID, WebhookSubscription] = {}
        for message in messages:  # one object per subscription: its state changes once
            message.subscription = shared.setdefault(message.subscription_id, message.subscription)
        attempts, delivered, failed = [], [], []
        for message in messages:
            outcome = outcomes[message.pk]
            message.attempt_count += 1
            attempts.append(
                WebhookAttempt(
                    message=message,
                    number=message.attempt_count,
                    attempted_at=now,
                    status_code=outcome.status_code,
                    duration_ms=outcome.duration_ms,
                    error=outcome.error[:500],
                    response_body=outcome.response_body,
                )
            )
            if message.state != Pending:  # settled meanwhile by an attempt whose lease ran out
                failed.append(message)
                continue
            message.attempts_in_round += 1
            if outcome.ok:
                message.state = WebhookMessage.State.DELIVERED
                message.delivered_at, message.next_attempt_at = now, None
                delivered.append(message.pk)
                _recovered(message.subscription)
            else:
                _fail(message, message.subscription, now)
                failed.append(message)
        WebhookAttempt.objects.bulk_create(attempts)
        # Successes, the bulk of the traffic, in one UPDATE; the few others one by one.
        WebhookMessage.objects.filter(pk__in=delivered).update(
            state=WebhookMessage.State.DELIVERED,
            delivered_at=now,
            next_attempt_at=None,
            attempt_count=F("attempt_count") + 1,
            attempts_in_round=F("attempts_in_round") + 1,
        )
        for message in failed:
            message.save(update_fields=MESSAGE_FIELDS)
    return messages


def _recovered(subscription: WebhookSubscription) -> None:
    if subscription.failing_since is not None:
        subscription.failing_since = None
        WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=None)


def retry_schedule(subscription: WebhookSubscription) -> list[int]:
    """Seconds between attempts: the subscription's own, or the setting."""
    return subscription.retry_schedule or list(settings.PAYABLES_WEBHOOK_RETRY_SCHEDULE)


def retry_delay(seconds: int, *, jitter: float, rng: random.Random | None = None) -> timedelta:
    """Wait ``seconds`` give or take the ``jitter`` fraction, so retries do not stampede.

    >>> retry_delay(20, jitter=0)
    datetime.timedelta(seconds=20)
    >>> timedelta(seconds=18) <= retry_delay(20, jitter=0.1) <= timedelta(seconds=22)
    True
    """
    spread = (rng or random).uniform(-jitter, jitter) if jitter else 0
    return timedelta(seconds=seconds * (1 + spread))


def _fail(message: WebhookMessage, subscription: WebhookSubscription, now: datetime) -> None:
    """Schedule the next attempt, or let the message die when the schedule is used up."""
    if subscription.failing_since is None:
        subscription.failing_since = now
        WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=now)
    schedule = retry_schedule(subscription)
    if message.attempts_in_round <= len(schedule):
        wait = schedule[message.attempts_in_round - 1]
        message.next_attempt_at = now + retry_delay(
            wait, jitter=settings.PAYABLES_WEBHOOK_RETRY_JITTER
        )
        transaction.on_commit(
            partial(_enqueue, [message.pk], run_after=message.next_attempt_at), robust=True
        )
        return
    message.state, message.dead_at, message.next_attempt_at = WebhookMessage.State.DEAD, now, None
    logger.warning(
        "Webhook message %s is dead after %d attempts", message.pk, message.attempts_in_round
    )
    _disable_if_dying(subscription, now)


def _disable_if_dying(subscription: WebhookSubscription, now: datetime) -> None:
    """Disable a subscription whose messages have kept failing for the configured window."""
    window = timedelta(hours=settings.PAYABLES_WEBHOOK_DISABLE_AFTER_HOURS)
    if subscription.state != Active or now - subscription.failing_since < window:
        return
    subscription.state, subscription.disabled_at = WebhookSubscription.State.DISABLED, now
    subscription.save(update_fields=["state", "disabled_at", "updated_at"])
    record_event(
        WEBHOOK_SUBSCRIPTION_DISABLED,
        actor=Actor.system(subscription.company, "webhooks"),
        subject_type="webhook_subscription",
        subject_id=subscription.pk,
        payload={
            "name": subscription.name,
            "target": subscription.target,
            "failing_since": subscription.failing_since.isoformat(),
            "reason": f"messages kept dying for {window.total_seconds() / 3600:g} h",
        },
    )
    logger.warning("Webhook subscription %s disabled: messages kept dying", subscription.pk)


def sweep_webhooks(*, now: datetime | None = None) -> int:
    """Queue the next sweep, then make every due attempt; return how many ran.

    Queuing first keeps the chain alive even if this run dies mid-way.
    """
    queue_sweep(now=now, delay=timedelta(seconds=settings.PAYABLES_WEBHOOK_SWEEP_SECONDS))
    return deliver_due(now=now)


def queue_sweep(*, now: datetime | None = None, delay: timedelta = timedelta(0)) -> bool:
    """Queue a sweep task unless one is queued already; False when none was queued.

    One chain serves every worker: with the database backend a queued sweep is seen and
    no second is added (two chains that race into being merge at their next run). A
    backend that cannot defer (the immediate one of the tests) gets none: there the
    caller runs ``deliver_due`` itself.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from payables.sync.tasks import sweep_webhook_deliveries

    backend = sweep_webhook_deliveries.get_backend()
    if not backend.supports_defer:
        return False
    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(
            task_path=sweep_webhook_deliveries.module_path, status="READY"
        ).exists()
    ):
        return False
    run_after = (now or timezone.now()) + delay
    sweep_webhook_deliveries.using(run_after=run_after).enqueue()
    return True
