"""Admin screen for the event outbox (read-only: events are history)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_views import ReadOnlyAdmin
from payables.sync.models import Event


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
