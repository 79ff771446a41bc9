"""Webhook delivery, the worker's side: claim due messages, sign and send each attempt,
record its outcome, retry on a schedule, let messages die, and run the sweep.

Messages are made by ``fanout`` (in the writer's transaction); one HTTP POST is
``transport``'s; this module decides when to send and what an answer means.

**Time.** Every function here takes ``now`` (default: the wall clock). The worker's
tasks pass nothing: then each claim batch reads the clock when it claims, each attempt
is signed (``webhook-timestamp``) and stamped with the time it is sent, and its outcome
is scheduled from the time it is recorded, however long the sweep runs. Tests pass a
clock they move on, which stands for all of these, so a schedule of minutes runs in
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
worker that dies mid-attempt leaves a message that is due again after the lease. An
outcome that comes back after its lease was lost (taken over, or redelivered) is kept
in the history but moves the message on only if it is a success.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from payables.events.event_types import WEBHOOK_SUBSCRIPTION_DISABLED
from payables.events.models import WebhookAttempt, WebhookMessage, WebhookSubscription
from payables.events.services import lock_company_writes, record_event
from payables.events.webhooks.confirmation import confirmation_token, token_hash, with_confirm_url
from payables.events.webhooks.fanout import encode_body, enqueue_deliveries
from payables.events.webhooks.signing import sign
from payables.events.webhooks.transport import Outcome, post_message, storable
from payables.tenancy.actors import Actor

logger = logging.getLogger(__name__)

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
    lease: datetime  # the message's next_attempt_at while this claim holds it


@dataclass(frozen=True)
class Attempted:
    """One attempt made: its claim, when it was sent, and what came back."""

    claim: Claim
    at: datetime
    outcome: Outcome


def deliver_messages(message_ids: list[UUID], *, now: datetime | None = None) -> int:
    """Make the next attempt of each message due by ``now``; return how many were made.

    A message not pending, not yet due, claimed by another worker, or of a subscription
    that may not receive it now (not confirmed, disabled, deleted) is left alone.
    """
    made = 0
    for start in range(0, len(message_ids), CLAIM_BATCH):
        batch = message_ids[start : start + CLAIM_BATCH]
        claims = _claim(
            WebhookMessage.objects.filter(pk__in=batch), now or timezone.now(), limit=len(batch)
        )
        made += _attempt_all(claims, now)
    return made


def deliver_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Make every attempt that is due by ``now`` (at most ``limit``); return how many ran.

    This is the sweep: the task runner calls it periodically, tests call it with
    their clock. Several workers may sweep at once: each claims its own batch. Without
    ``now`` each batch claims what is due when it claims: a long sweep also takes what
    fell due meanwhile.
    """
    made = 0
    while limit is None or made < limit:
        size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - made)
        claims = _claim(WebhookMessage.objects.all(), now or timezone.now(), limit=size)
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

    The lease covers the whole batch: its attempts run one after the other, each bounded
    by the timeout. A confirmation request whose token is no longer the subscription's
    (an earlier target's, or a request made before tokens were derived) dies unsent; one
    of a subscription confirmed meanwhile is delivered: its target opened the URL.
    """
    with transaction.atomic():
        claimed = list(
            _deliverable(messages, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .order_by("next_attempt_at")[:limit]
        )
        confirmed = [
            m.pk
            for m in claimed
            if m.type == WebhookMessage.CONFIRMATION and m.subscription.confirmed_at is not None
        ]
        if confirmed:
            WebhookMessage.objects.filter(pk__in=confirmed).update(
                state=WebhookMessage.State.DELIVERED, delivered_at=now, next_attempt_at=None
            )
            claimed = [m for m in claimed if m.pk not in confirmed]
        void = [m.pk for m in claimed if not _confirmation_current(m)]
        if void:
            WebhookMessage.objects.filter(pk__in=void).update(
                state=WebhookMessage.State.DEAD, dead_at=now, next_attempt_at=None
            )
            claimed = [m for m in claimed if m.pk not in void]
        if not claimed:
            return []
        timeout = timedelta(seconds=settings.PAYABLES_WEBHOOK_TIMEOUT_SECONDS)
        lease = now + timeout * len(claimed) + LEASE_MARGIN
        WebhookMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(next_attempt_at=lease)
    return [
        Claim(
            m.pk,
            m.subscription.company_id,
            m.subscription.target,
            m.subscription.secret,
            encode_body(_as_sent(m)),
            lease,
        )
        for m in claimed
    ]


def _confirmation_current(message: WebhookMessage) -> bool:
    """False for a confirmation request whose confirm URL no longer confirms anything."""
    if message.type != WebhookMessage.CONFIRMATION:
        return True
    return token_hash(confirmation_token(message.pk)) == message.subscription.confirm_token_hash


def _as_sent(message: WebhookMessage) -> dict:
    """The payload as the receiver gets it: a confirmation request with its real URL."""
    if message.type == WebhookMessage.CONFIRMATION:
        return with_confirm_url(message.payload, message.pk)
    return message.payload


def _attempt_all(claims: list[Claim], clock: datetime | None) -> int:
    """POST each claimed message (no transaction open meanwhile), then record the outcomes.

    ``clock`` is the test's clock; without it each attempt is sent at the real time.
    """
    made: list[Attempted] = []
    for claim in claims:
        at = clock or timezone.now()
        made.append(Attempted(claim, at, _sign_and_send(claim, at)))
    by_company: dict[int, list[Attempted]] = {}
    for attempted in made:
        by_company.setdefault(attempted.claim.company_id, []).append(attempted)
    for company_attempts in by_company.values():
        record_outcomes(company_attempts, now=clock or timezone.now())
    return len(made)


def record_outcomes(attempts: list[Attempted], *, now: datetime) -> None:
    """Record one company's attempts; a failure to record some never loses the others.

    All in one transaction first. Should that fail (an answer the database refuses, a
    bug), each attempt is recorded alone, and one that still fails is recorded without
    what the receiver answered: a message whose attempt is never recorded would be sent
    again and again.
    """
    try:
        _record_attempts(attempts, now=now)
        return
    except Exception:
        logger.exception("Webhook attempts could not be recorded together; recording each alone")
    for attempted in attempts:
        try:
            _record_attempts([attempted], now=now)
            continue
        except Exception as exc:
            logger.exception("Webhook attempt of %s not recorded", attempted.claim.message_id)
            bare = Outcome(None, 0, error=f"the answer could not be stored ({type(exc).__name__})")
        try:
            _record_attempts([replace(attempted, outcome=bare)], now=now)
        except Exception:
            logger.exception(
                "Webhook attempt of %s is lost; the message is tried again after its lease",
                attempted.claim.message_id,
            )


def _sign_and_send(claim: Claim, at: datetime) -> Outcome:
    """Sign the claimed message as sent at ``at`` and POST it within the configured limits."""
    message_id = str(claim.message_id)
    timestamp = int(at.timestamp())
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


def _record_attempts(made: list[Attempted], *, now: datetime) -> list[WebhookMessage]:
    """Store attempts of one company's messages; move each on: delivered, retried, or dead.

    One transaction. Successes alone take no company lock (they record no event), so
    deliveries do not queue behind the company's other writes. A failure may disable a
    subscription and record an event, so then the company's write lock comes first, as
    for every writer. ``now`` is when the outcomes arrived: retries are planned from it.
    """
    by_id = {attempted.claim.message_id: attempted for attempted in made}
    outcomes = {message_id: attempted.outcome for message_id, attempted in by_id.items()}
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
            outcome, claim = outcomes[message.pk], by_id[message.pk].claim
            message.attempt_count += 1
            attempts.append(
                WebhookAttempt(
                    message=message,
                    number=message.attempt_count,
                    attempted_at=by_id[message.pk].at,
                    status_code=outcome.status_code,
                    duration_ms=outcome.duration_ms,
                    error=storable(outcome.error)[:500],
                    response_body=storable(outcome.response_body),
                )
            )
            lease_held = message.state == Pending and message.next_attempt_at == claim.lease
            if not lease_held and not (message.state == Pending and outcome.ok):
                # Settled meanwhile, or the lease ran out and the message was taken over
                # (or redelivered): the attempt is history, the current round is not ours.
                failed.append(message)
                continue
            message.attempts_in_round += 1
            if outcome.ok:
                message.state = WebhookMessage.State.DELIVERED
                message.delivered_at, message.next_attempt_at = now, None
                delivered.append(message.pk)
                _mark_recovered(message.subscription)
            else:
                _record_failure(message, message.subscription, now)
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


def _mark_recovered(subscription: WebhookSubscription) -> None:
    """Clear ``failing_since``: a delivery got through, so the disabling clock stops."""
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


def _record_failure(
    message: WebhookMessage, subscription: WebhookSubscription, now: datetime
) -> None:
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
            partial(enqueue_deliveries, [message.pk], run_after=message.next_attempt_at),
            robust=True,
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

    from payables.events.tasks import sweep_webhook_deliveries

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
