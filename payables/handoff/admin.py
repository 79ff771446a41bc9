"""Admin screens of the hand-off: accounting's failure reports, browsed and searched."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin
from payables.handoff.models import SyncError


@admin.register(SyncError)
class SyncErrorAdmin(ReadOnlyAdmin):
    """Failures accounting reported; they are resolved by re-exporting or booking."""

    list_display = ["reported_at", "invoice", "company", "message", "resolved_at", "resolution"]
    list_filter = ["company", "resolution", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["message", "invoice__invoice_number"]
    list_select_related = ["invoice", "company"]
