"""What the hand-off keeps besides the invoice's own export fields: accounting's failure reports."""

from __future__ import annotations

import uuid

from django.db import models

from payables.invoices.models import Invoice
from payables.tenancy.models import Company


class SyncError(models.Model):
    """A failure the accounting system reported for one export of an invoice; every report is kept.

    Open until the invoice is exported again or booked; a report about an export that was
    already superseded by a re-export is kept as resolved at once.
    """

    class Resolution(models.TextChoices):
        REEXPORTED = "reexported"
        BOOKED = "booked"
        SUPERSEDED = "superseded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sync_errors")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="sync_errors")
    export_count = models.PositiveIntegerField(help_text="The export the report is about.")
    message = models.CharField(max_length=2000)
    actor = models.CharField(max_length=300)
    reported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["company", "reported_at"], name="sync_error_company_idx"),
            models.Index(fields=["invoice", "resolved_at"], name="sync_error_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.export_count}: {self.message[:40]}"

    @property
    def document_id(self) -> str:
        return f"{self.invoice_id}/{self.export_count}"


class JsonText(models.TextField):
    """A text column of JSON that bulk writes send as VALUES, not as UNNEST arrays.

    Django writes several rows on PostgreSQL as one array per column; psycopg quotes each
    element of an array in Python, quote by quote (1.3 ms per exported document, the
    backfill ran at half the speed), a VALUES literal in C. A field with a placeholder is
    never written as an array. Migrated as the TextField it is.
    """

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"

    def deconstruct(self) -> tuple:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class ExportedDocument(models.Model):
    """The parts of an exported invoice's feed document that no longer change, as JSON text.

    Written at export (a re-export writes them again), when a matched order changes, and
    by ``payables keep-exported-documents`` for invoices exported before they were kept,
    or kept in an older ``layout`` (the feed builds missing or stale ones for its page,
    and writes nothing). The invoice's header, rows, VAT breakdown and posting lines are
    fixed from export on (edits and coding stop), and so is the purchase-order match, but
    for its order's number and line descriptions: ``order_modified_at`` tells a stale
    match. What can still change — status, booking, sync failure, payments, review flags,
    metadata, the supplier, the company's home currency, the approvers' names,
    attachments — is read with each page (``feed_page.MUTABLE``).
    """

    invoice = models.OneToOneField(
        Invoice, on_delete=models.CASCADE, primary_key=True, related_name="exported_document"
    )
    export_count = models.PositiveIntegerField(help_text="The export the texts are of.")
    order_modified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the matched order was changed, as the match shows it.",
    )
    layout = models.CharField(
        max_length=16,
        help_text="How the texts are cut (``feed_page.LAYOUT``); others are written again.",
    )
    head = JsonText(
        help_text="The invoice's members that no longer change, rows and VAT breakdown among "
        "them, in runs between those that may (``feed_page.head_runs``)."
    )
    posting_lines = JsonText()
    purchase_order_match = JsonText()
    written_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.export_count}"
