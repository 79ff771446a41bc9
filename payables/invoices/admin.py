"""Admin screens for invoices: browsing and searching; changes go through the API and services."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin, ReadOnlyInline, money_column
from payables.handoff.models import SyncError
from payables.invoices.models import (
    Attachment,
    AuditEntry,
    Invoice,
    InvoiceRow,
    NumberingPolicy,
    Payment,
    VatLine,
)


class RowInline(ReadOnlyInline):
    model = InvoiceRow


class VatLineInline(ReadOnlyInline):
    model = VatLine


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "filename", "content_type", "size", "sha256", "url", "is_original"]
    readonly_fields = fields  # shown, never a form field (no URL form field to build)


class PaymentInline(ReadOnlyInline):
    model = Payment


class AuditInline(ReadOnlyInline):
    model = AuditEntry


class SyncErrorInline(ReadOnlyInline):
    model = SyncError
    fields = ["reported_at", "export_count", "message", "actor", "resolved_at", "resolution"]
    readonly_fields = fields


def _currency(invoice: Invoice) -> str:
    return invoice.currency


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Invoices are changed through services (totals, events); the admin shows them."""

    list_display = [
        "internal_id",
        "invoice_number",
        "supplier",
        "company",
        "type",
        "status",
        "invoice_date",
        "due_date",
        money_column("gross_amount", _currency, description="gross amount"),
        money_column("paid_amount", _currency, description="paid amount"),
        "exported_at",
        "sync_failed",
    ]
    list_filter = [
        "company",
        "status",
        "sync_failed",
        "type",
        "origin",
        "source_system",
        "currency",
        "invoice_date",
    ]
    search_fields = [
        "invoice_number",
        "external_number",
        "supplier__name",
        "payment_reference",
        "order_number",
        "source_invoice_id",
    ]
    date_hierarchy = "invoice_date"
    list_select_related = ["supplier", "company"]
    inlines = [
        RowInline,
        VatLineInline,
        AttachmentInline,
        PaymentInline,
        AuditInline,
        SyncErrorInline,
    ]


@admin.register(NumberingPolicy)
class NumberingPolicyAdmin(ReadOnlyAdmin):
    """Policies are changed through the API (the service checks patterns and defaults)."""

    list_display = ["name", "company", "pattern", "next_value", "is_default", "modified_at"]
    list_filter = ["company", "is_default"]
    search_fields = ["name", "pattern"]
