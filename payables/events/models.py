"""The outbox (events written in the same transaction as their change), its webhooks, and the
leases of running tasks."""

from __future__ import annotations

import uuid

from django.db import models
from django_tasks_db.models import DBTaskResult

from payables.tenancy.models import Company


class Event(models.Model):
    """One business change. ``sequence`` is the company's feed cursor: gap-free, in commit order."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="events")
    sequence = models.BigIntegerField()
    type = models.CharField(max_length=50)
    subject_type = models.CharField(max_length=50)
    subject_id = models.UUIDField()
    actor = models.CharField(max_length=300)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "sequence"], name="event_sequence_unique_per_company"
            )
        ]
        indexes = [models.Index(fields=["company", "subject_id"], name="event_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.type}"


class WebhookSubscription(models.Model):
    """A receiver of the company's events, signed with its own secret (Standard Webhooks).

    ``secret`` is a signing key the receiver holds too, so it is stored as it is (it
    cannot be hashed); it is shown once and never logged. The confirmation token is
    kept only as its SHA-256: the raw token lives in the confirm URL sent to the target.
    """

    class State(models.TextChoices):
        PENDING = "pending"  # created; waits for the target to open the confirm URL
        ACTIVE = "active"
        DISABLED = "disabled"  # by hand, or after messages kept dying

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    name = models.CharField(max_length=200)
    target = models.CharField(max_length=2000)
    event_types = models.JSONField(default=list)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    secret = models.CharField(max_length=100)
    confirm_token_hash = models.CharField(max_length=64, unique=True)
    retry_schedule = models.JSONField(null=True, blank=True)
    message_format = models.CharField(
        max_length=50,
        default="standard",
        help_text=(
            "The body of its messages: `standard` (payables' own), or a vendor's format "
            "installed by its compatible API (payables.events.webhooks.formats)."
        ),
    )
    failing_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Fan-out asks this for every event: "any active subscription of the company?"
            models.Index(fields=["company", "state"], name="webhook_sub_company_state_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.target} ({self.state})"


class WebhookMessage(models.Model):
    """One message to one subscription; its ``id`` is the ``webhook-id`` receivers dedupe by.

    ``next_attempt_at`` is when it is due while pending. A worker that claims it moves
    that time forward by a lease, so a crash mid-attempt only delays the message.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        DEAD = "dead"  # every attempt of the schedule failed; redelivery re-queues it

    CONFIRMATION = "SubscriptionConfirmation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="messages"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_messages"
    )
    type = models.CharField(max_length=50)
    payload = models.JSONField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    attempts_in_round = models.PositiveIntegerField(default=0)  # reset by redelivery
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_msg_due_idx"),
            models.Index(
                fields=["subscription", "state", "created_at"], name="webhook_msg_sub_state_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id} ({self.state})"


class WebhookAttempt(models.Model):
    """One HTTP try of a message: when, what came back, how long it took, what went wrong."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    response_body = models.TextField(blank=True)  # the first bytes only

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "number"], name="webhook_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}: {self.status_code or self.error}"


class TaskLease(models.Model):
    """The claim of a running task, renewed by its worker while the task runs.

    django-tasks-db marks a claimed task RUNNING and never looks at it again, so a task
    whose worker died would stay RUNNING for ever. ``payables worker`` renews this row;
    the reaper (``payables.events.task_leases``) takes up a task whose lease expired.
    """

    task = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="payables_lease"
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"lease of {self.task_id} until {self.expires_at:%H:%M:%S}"


class FeedClock(models.Model):
    """The last position a time-ordered feed gave out, across every company.

    A feed read for several companies at once (an accounting office's key) must still
    see rows in commit order. Each writer takes the feed's clock row under a lock, as
    the last lock of its transaction, and stamps its rows later than the clock: two
    writers of different companies then commit in the order of their stamps.
    """

    name = models.CharField(max_length=50, unique=True)
    last_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_at}"
