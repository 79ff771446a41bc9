"""Uploaded documents (PDFs, scans, e-invoices), what digitizing read from them, and the
supplier memory that corrections teach."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from payables.invoices.models import Invoice
from payables.tenancy.models import Company

MAX_USERDATA_BYTES = 1024
# What the digitized feed's stored parts (``Document.feed_parts``) are written from.
FEED_SOURCES = frozenset({"fields", "vat_breakdown", "lines", "findings"})


class DocumentQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> DocumentQuerySet:
        return self.filter(company=company)


def document_path(document: Document, filename: str) -> str:
    """Store files per company under the document's id (no user path parts)."""
    return f"documents/{document.company_id}/{document.id}"


class Document(models.Model):
    """One uploaded file and its way to an invoice.

    ``awaiting_upload`` (an upload location was handed out) → ``uploaded`` (the bytes are
    stored) → ``processing`` (a worker reads it) → ``digitized`` (fields read, waiting for
    review) or ``failed`` (``failure_reason``) or ``invoice_created`` (``invoice``).
    """

    class State(models.TextChoices):
        AWAITING_UPLOAD = "awaiting_upload"
        UPLOADED = "uploaded"
        PROCESSING = "processing"
        DIGITIZED = "digitized"
        FAILED = "failed"
        INVOICE_CREATED = "invoice_created"

    class Channel(models.TextChoices):
        UPLOAD_URL = "upload_url"  # a pre-signed PUT
        API = "api"  # POST /documents
        WEB = "web"
        CLI = "cli"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.UPLOADED)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    actor = models.CharField(max_length=300, help_text="Who uploaded it.")
    userdata = models.TextField(
        blank=True, help_text="The uploader's opaque string (at most 1 KB), given back as sent."
    )
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(
        max_length=100, blank=True, help_text="As declared by the uploader."
    )
    kind = models.CharField(
        max_length=10, blank=True, help_text="What the bytes are: pdf, png, jpeg, tiff or xml."
    )
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to=document_path, max_length=300, blank=True)
    upload_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Until when its upload location takes the bytes."
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # What digitizing found: ``fields`` maps a field name to {value, confidence, page,
    # box, label, validated}; values are JSON (dates ISO 8601, amounts decimal strings).
    method = models.CharField(
        max_length=20, blank=True, help_text="text, ocr, mixed, or e-invoice (exact data)."
    )
    pages = models.PositiveIntegerField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    vat_breakdown = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    lines = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    text = models.TextField(blank=True)
    findings = models.JSONField(
        default=list,
        blank=True,
        help_text="Why it waits for review or failed: {code, message, field} each.",
    )
    failure_reason = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=2000, blank=True)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The digitized feed's members ``fields`` to ``findings`` as JSON text, written from
    # what the database gives back of those values (``services.keep_feed_parts``), and the
    # version of that writing (``feed_page.FEED_PARTS_VERSION``; 0: out of date or never
    # written, and the feed writes them from the values themselves).
    feed_parts = models.TextField(blank=True, editable=False)
    feed_parts_version = models.PositiveSmallIntegerField(default=0, editable=False)

    uploaded_at = models.DateTimeField(null=True, blank=True)
    # The position in the digitized feed: when digitizing ended (read, or failed), set
    # from the feed's clock so that feed order is commit order across companies.
    digitized_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same bytes again are recognised as a duplicate; a failed document does
            # not hold its bytes (they may be sent again once the cause is fixed).
            models.UniqueConstraint(
                fields=["company", "sha256"],
                condition=~Q(sha256="") & ~Q(state="failed"),
                name="document_bytes_unique_per_company",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state"], name="document_company_state_idx"),
            # The digitized feed walks (digitized_at, id) for one company or several.
            models.Index(
                fields=["company", "digitized_at", "id"], name="document_company_feed_idx"
            ),
            models.Index(fields=["digitized_at", "id"], name="document_digitized_feed_idx"),
        ]

    def __str__(self) -> str:
        return self.filename or str(self.id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving what was read (``FEED_SOURCES``) puts the feed's stored parts out of date,
        whoever saves it, until they are kept again: the feed never gives out old parts."""
        saved = kwargs.get("update_fields")
        if saved is None or not FEED_SOURCES.isdisjoint(saved):
            self.feed_parts_version = 0
            if saved is not None:
                kwargs["update_fields"] = {*saved, "feed_parts_version"}
        super().save(*args, **kwargs)


class SupplierMemory(models.Model):
    """Where an accountant found a supplier's fields: read there first the next time.

    Keyed by an identifier printed on the supplier's documents (``vat:EE100…``,
    ``iban:EE38…``, ``registry:10137319``); ``fields`` maps a field name to the label,
    page and box it was corrected from.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fields = models.JSONField(default=dict)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "key"], name="supplier_memory_unique_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.key
