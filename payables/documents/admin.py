"""Admin screens for documents and supplier memory (read-only: the pipeline writes them)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin
from payables.documents.models import Document, SupplierMemory


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Uploaded documents and what was read from them, to diagnose a failure."""

    list_display = [
        "filename",
        "company",
        "state",
        "kind",
        "method",
        "failure_reason",
        "created_at",
    ]
    list_filter = ["state", "kind", "method", "failure_reason", "company"]
    search_fields = ["id", "filename", "sha256", "userdata"]
    exclude = ["text"]


@admin.register(SupplierMemory)
class SupplierMemoryAdmin(ReadOnlyAdmin):
    list_display = ["key", "company", "modified_at"]
    list_filter = ["company"]
    search_fields = ["key"]
