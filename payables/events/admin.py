"""Admin screen for the event outbox (read-only: events are history)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin, ReadOnlyInline
from payables.events.models import Event, WebhookAttempt, WebhookMessage, WebhookSubscription


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "sequence",
        "type",
        "company",
        "subject_type",
        "subject_id",
        "actor",
        "created_at",
    ]
    list_filter = ["company", "type", "subject_type"]
    search_fields = ["subject_id", "actor"]


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["number", "attempted_at", "status_code", "duration_ms", "error", "response_body"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    """Subscriptions as integrators made them; the secret is never shown."""

    list_display = ["name", "company", "target", "state", "failing_since", "created_at"]
    list_filter = ["state", "company"]
    search_fields = ["name", "target"]
    exclude = ["secret", "confirm_token_hash"]


@admin.register(WebhookMessage)
class WebhookMessageAdmin(ReadOnlyAdmin):
    """Messages with every attempt, to diagnose a receiver; redelivery is in the API."""

    list_display = ["id", "type", "subscription", "state", "attempt_count", "next_attempt_at"]
    list_filter = ["state", "type"]
    search_fields = ["id"]
    inlines = [WebhookAttemptInline]
