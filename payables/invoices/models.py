"""Purchase invoices and credit notes, their rows, VAT, attachments, payments and trail."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from payables.masterdata.models import Supplier
from payables.tenancy.models import Company

MONEY = {"max_digits": 19, "decimal_places": 4}


class InvoiceQuerySet(models.QuerySet):
    def for_company(self, company: Company) -> InvoiceQuerySet:
        return self.filter(company=company)


class Invoice(models.Model):
    """One purchase invoice or credit note. Credit notes carry negative amounts."""

    class Type(models.TextChoices):
        INVOICE = "invoice"
        CREDIT_NOTE = "credit_note"

    class Status(models.TextChoices):
        RECEIVED = "received"
        DIGITIZING = "digitizing"
        NEW = "new"
        ASSIGNED = "assigned"
        APPROVED = "approved"
        REJECTED = "rejected"
        EXPORTED = "exported"
        BOOKED = "booked"
        CANCELLED = "cancelled"

    class Origin(models.TextChoices):
        API = "api"
        E_INVOICE = "e-invoice"
        DIGITIZED = "digitized"
        UPLOAD = "upload"

    class RateSource(models.TextChoices):
        DOCUMENT = "document"  # given with the invoice (BT-111 / BT-110 of an e-invoice)
        COMPANY = "company"  # the company's own rate of that day
        ECB = "ecb", "ECB"  # the European Central Bank reference rate of that day

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invoices")
    internal_id = models.BigIntegerField(help_text="Sequential number within the company.")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    invoice_number = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.INVOICE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.API)

    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    entry_date = models.DateField()
    vat_date = models.DateField(null=True, blank=True, help_text="VAT point / transaction date.")

    currency = models.CharField(max_length=3)
    currency_rate = models.DecimalField(
        max_digits=16,
        decimal_places=10,
        default=Decimal(1),
        help_text="Home-currency units for one unit of the invoice currency.",
    )
    currency_rate_source = models.CharField(
        max_length=10,
        choices=RateSource.choices,
        blank=True,
        help_text="Where the rate came from; empty for an invoice in the home currency.",
    )
    currency_rate_date = models.DateField(
        null=True, blank=True, help_text="The day of the company's or the ECB's rate used."
    )
    currency_rate_note = models.CharField(
        max_length=300, blank=True, help_text="Why the rate is from before the invoice's date."
    )
    net_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)
    rounding_amount = models.DecimalField(**MONEY, default=Decimal(0))
    gross_amount = models.DecimalField(**MONEY)
    home_net_amount = models.DecimalField(**MONEY)
    home_vat_amount = models.DecimalField(**MONEY)
    home_gross_amount = models.DecimalField(**MONEY)
    prepaid_amount = models.DecimalField(
        **MONEY,
        default=Decimal(0),
        help_text="Paid before the invoice (BT-113), with the document's sign: a negative "
        "prepaid amount raises the amount due.",
    )
    paid_amount = models.DecimalField(**MONEY, default=Decimal(0))

    order_number = models.CharField(max_length=200, blank=True)
    buyer_reference = models.CharField(max_length=200, blank=True)
    seller_reference = models.CharField(max_length=200, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    bank_account = models.CharField(max_length=50, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    payment_terms = models.CharField(max_length=500, blank=True)
    # JSON numbers arrive as Decimal (never a float): the encoder writes them as strings.
    custom_fields = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    # Where an imported invoice came from: its immutable identity in the sending system.
    source_system = models.CharField(max_length=50, blank=True)
    source_invoice_id = models.CharField(max_length=200, blank=True)
    source_document_version = models.CharField(max_length=100, blank=True)
    source_content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the last imported payload."
    )
    external_number = models.CharField(
        max_length=200, blank=True, help_text="The sender's number when a local one was given."
    )
    external_reference = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    needs_review = models.BooleanField(
        default=False, help_text="Imported although validation found problems."
    )
    # The error-level findings that set ``needs_review`` (rule_id, severity, message,
    # location each); kept after an accountant clears the flag, as the record of what was seen.
    review_findings = models.JSONField(default=list, blank=True)

    # Kept by the coding app (the invoice lists filter on them): set by a person or a rule
    # (posting lines or prebooking), and every posting line has an account and a VAT code.
    prebooked = models.BooleanField(default=False)
    coded = models.BooleanField(default=False)
    # Kept by the orders app: how the invoice compares with its purchase order (the list
    # filters on it; the per-line result is the orders app's).
    po_match_status = models.CharField(
        max_length=20,
        choices=[
            ("matched", "Matched"),
            ("within_tolerance", "Within tolerance"),
            ("discrepancy", "Discrepancy"),
            ("no_po", "No purchase order"),
        ],
        default="no_po",
    )

    cancel_reason = models.CharField(max_length=500, blank=True)

    # Hand-off to accounting. ``exported_at`` is the position in the exported feed: set
    # under the company's write lock and never earlier than the company's latest, so
    # feed order is commit order. A re-export moves the invoice to the end again.
    exported_at = models.DateTimeField(null=True, blank=True)
    export_count = models.PositiveIntegerField(default=0)
    booked_at = models.DateTimeField(null=True, blank=True)
    booking_document_id = models.CharField(
        max_length=200, blank=True, help_text="The accounting system's id of the booking."
    )
    booking_date = models.DateField(null=True, blank=True)
    sync_failed = models.BooleanField(
        default=False, help_text="Accounting reported a failure; cleared by re-export or booking."
    )
    sync_error_message = models.CharField(max_length=2000, blank=True)
    sync_failed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-internal_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "internal_id"], name="invoice_internal_id_unique_per_company"
            ),
            # A cancelled invoice frees its number for a corrected re-send; an invoice and
            # a credit note with the same number are two documents.
            models.UniqueConstraint(
                fields=["company", "supplier", "type", "invoice_number"],
                condition=~Q(status="cancelled"),
                name="invoice_number_unique_per_supplier",
            ),
            models.UniqueConstraint(
                fields=["company", "source_system", "source_invoice_id"],
                condition=~Q(source_system=""),
                name="invoice_source_identity_unique",
            ),
        ]
        indexes = [
            # The list's filters walk their company's invoices newest first.
            models.Index(
                fields=["company", "status", "-internal_id"], name="invoice_company_status_idx"
            ),
            models.Index(fields=["company", "modified_at"], name="invoice_company_modified_idx"),
            # The exported feed walks (exported_at, id) from a cursor.
            models.Index(fields=["company", "exported_at", "id"], name="invoice_exported_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} ({self.supplier_id})"

    @property
    def export_document_id(self) -> str:
        """The feed document's id: one per export, so a report names the export it is about."""
        return f"{self.id}/{self.export_count}" if self.export_count else ""

    @property
    def amount_due(self) -> Decimal:
        """What is left to pay: the total less the prepaid amount and the payments."""
        return self.gross_amount - self.prepaid_amount - self.paid_amount


class NumberingPolicy(models.Model):
    """How local invoice numbers are made, e.g. ``PI-{year}-{seq:06}``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="numbering_policies"
    )
    name = models.CharField(max_length=100)
    pattern = models.CharField(max_length=100)
    next_value = models.BigIntegerField(default=1)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "numbering policies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_default=True),
                name="numbering_policy_one_default_per_company",
            ),
            models.UniqueConstraint(
                fields=["company", "name"], name="numbering_policy_name_unique_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pattern})"


class InvoiceRow(models.Model):
    """A line of the invoice with its coding (account, VAT code, dimensions).

    ``item_code`` is the seller's product code as sent; ``product_code`` is the company's
    own product item, given or recognised from the seller's code (see ``coding.py``).
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    item_code = models.CharField(max_length=100, blank=True, help_text="The seller's code.")
    product_code = models.CharField(
        max_length=50, blank=True, help_text="The company's product item code."
    )
    gtin = models.CharField(max_length=14, blank=True, help_text="The item's GTIN (BT-157).")
    order_line_reference = models.CharField(
        max_length=100, blank=True, help_text="The purchase order line it bills (BT-132)."
    )
    description = models.CharField(max_length=1000, blank=True)
    quantity = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    unit_price = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    net_amount = models.DecimalField(**MONEY)
    vat_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    vat_amount = models.DecimalField(**MONEY, null=True, blank=True)
    vat_code = models.CharField(max_length=50, blank=True, help_text="The company's VAT code.")
    account_code = models.CharField(max_length=50, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}: {self.description[:40]}"


class VatLine(models.Model):
    """One VAT rate's share of the invoice (the VAT breakdown)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="vat_lines")
    position = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    vat_code = models.CharField(max_length=50, blank=True, help_text="The company's VAT code.")
    vat_category = models.CharField(
        max_length=20, blank=True, help_text="VAT category of the document (UNCL5305: S, Z, AE, …)."
    )
    base_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.vat_rate}%: {self.vat_amount}"


def attachment_path(attachment: Attachment, filename: str) -> str:
    """Store files per company and invoice under a random name (no user path parts)."""
    invoice = attachment.invoice
    return f"invoices/{invoice.company_id}/{invoice.id}/{attachment.id}"


class Attachment(models.Model):
    """A file kept with the invoice (with its SHA-256), or a link that is never fetched."""

    class Kind(models.TextChoices):
        FILE = "file"
        URL = "url"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attachments")
    internal_id = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sequential number within the company, for APIs that name attachments by "
        "an integer (the Fennoa-compatible API).",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    is_original = models.BooleanField(
        default=False, help_text="The document the invoice came from."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Numbered from a company-wide counter; looked up within their invoice.
            models.UniqueConstraint(
                fields=["invoice", "internal_id"], name="attachment_internal_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.filename or self.url


class Payment(models.Model):
    """Money paid against the invoice; reduces the amount due."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(**MONEY)
    payment_date = models.DateField()
    description = models.CharField(max_length=500, blank=True)
    account_code = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payment_date", "created_at"]

    def __str__(self) -> str:
        return f"{self.amount} on {self.payment_date}"


class AuditEntry(models.Model):
    """The invoice's trail for people: who did what, when, with what comment."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=300)
    action = models.CharField(max_length=50)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"


class InvoiceStatusCount(models.Model):
    """How many invoices a company has in one status: the list's ``count`` reads these
    rows instead of counting a hundred thousand index entries.

    Database triggers (migration 0018) keep it in the same transaction as every insert,
    delete and status change of an invoice, so it is exact where ``COUNT(*)`` is, whatever
    wrote the invoice. Only a load that bypasses triggers (``session_replication_role =
    replica``) must recount afterwards (``recount_invoice_statuses``). The rows are the
    company's writes' own: its write lock already queues them.
    """

    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )  # no constraint: deleting a company's invoices still counts them down
    status = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "status"], name="invoice_status_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.count}"
