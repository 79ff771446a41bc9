"""Purchase orders with their lines, and the goods receipts recorded against them."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from payables.masterdata.models import Supplier
from payables.tenancy.models import Company, CompanyUser

MONEY = {"max_digits": 19, "decimal_places": 4}
QUANTITY = {"max_digits": 22, "decimal_places": 6}


class PurchaseOrder(models.Model):
    """One order to a supplier. Its status follows from its lines' received and invoiced
    quantities until it is closed or cancelled (``services.derive_status``)."""

    class Status(models.TextChoices):
        OPEN = "open"
        PARTIALLY_RECEIVED = "partially_received"
        RECEIVED = "received"
        PARTIALLY_INVOICED = "partially_invoiced"
        INVOICED = "invoiced"
        CLOSED = "closed"
        CANCELLED = "cancelled"

    class Source(models.TextChoices):
        JSON = "json"
        XML = "xml"  # the Estonian e-invoice structure wrapped as Payload/PurchaseOrder
        PEPPOL = "peppol"  # Peppol BIS Order 3 (UBL Order 2.1)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="purchase_orders")
    number = models.CharField(max_length=200)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    requester = models.ForeignKey(
        CompanyUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchase_orders",
        help_text="Who ordered: invoices that do not match go to them.",
    )
    order_date = models.DateField()
    delivery_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    net_amount = models.DecimalField(**MONEY)
    vat_amount = models.DecimalField(**MONEY)
    gross_amount = models.DecimalField(**MONEY)
    buyer_reference = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.JSON)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-order_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="purchase_order_number_unique_per_company"
            )
        ]
        indexes = [models.Index(fields=["company", "modified_at"])]

    def __str__(self) -> str:
        return f"PO {self.number}"


class PurchaseOrderLine(models.Model):
    """A line as ordered, with what has arrived and what has been invoiced of it.

    ``line_id`` is the order's own line id (invoices refer to it, BT-132); ``item_code``
    the company's product item, ``seller_item_code`` the supplier's code for it.
    """

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    line_id = models.CharField(max_length=100)
    item_code = models.CharField(max_length=50, blank=True)
    seller_item_code = models.CharField(max_length=100, blank=True)
    gtin = models.CharField(max_length=14, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    quantity = models.DecimalField(**QUANTITY)
    unit = models.CharField(max_length=20, blank=True)
    unit_price = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    net_amount = models.DecimalField(**MONEY)
    vat_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    vat_code = models.CharField(max_length=50, blank=True)
    account_code = models.CharField(max_length=50, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    cost_objective = models.CharField(max_length=100, blank=True)
    received_quantity = models.DecimalField(**QUANTITY, default=Decimal(0))
    invoiced_quantity = models.DecimalField(**QUANTITY, default=Decimal(0))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "line_id"], name="purchase_order_line_id_unique_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.description[:40]}"


class GoodsReceipt(models.Model):
    """Goods that arrived (or, with negative quantities, were sent back or booked wrongly)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="receipts")
    received_at = models.DateField()
    reference = models.CharField(max_length=200, blank=True, help_text="E.g. the delivery note.")
    actor = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "created_at"]

    def __str__(self) -> str:
        return f"Receipt {self.received_at} of {self.order}"


class GoodsReceiptLine(models.Model):
    """The quantity of one order line a receipt brought; negative reverses an earlier one."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.DecimalField(**QUANTITY)

    def __str__(self) -> str:
        return f"{self.order_line.line_id}: {self.quantity}"


class MatchTolerance(models.Model):
    """How far an invoice may stray from its order and still count as matched.

    The company's row (no supplier) applies to every supplier without a row of its own.
    A limit left empty does not apply; zero means exact. Price limits apply to a price
    above the order's (a lower price is the buyer's gain, shown but not a discrepancy).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    price_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, default=Decimal(0)
    )
    price_amount = models.DecimalField(
        max_digits=19, decimal_places=4, null=True, blank=True, default=None
    )
    quantity_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, default=Decimal(0)
    )
    total_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, default=None
    )
    total_amount = models.DecimalField(
        max_digits=19, decimal_places=4, null=True, blank=True, default=Decimal(0)
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "supplier"], name="match_tolerance_one_per_supplier"
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(supplier__isnull=True),
                name="match_tolerance_one_company_default",
            ),
        ]

    def __str__(self) -> str:
        return f"Tolerances of {self.supplier_id or 'the company'}"


class InvoiceMatch(models.Model):
    """How an invoice compares with the purchase order it bills; one per invoice.

    Its allocations reserve order quantities while the invoice is neither rejected nor
    cancelled, so two invoices never both take the last open quantity; ``counted`` says
    they are also in the order lines' invoiced quantities (from final approval on).
    """

    class Status(models.TextChoices):
        MATCHED = "matched"
        WITHIN_TOLERANCE = "within_tolerance"
        DISCREPANCY = "discrepancy"
        NO_PO = "no_po"

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, primary_key=True, related_name="po_match"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_matches",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    mode = models.CharField(max_length=10, help_text="two_way or three_way, as matched.")
    found_by = models.CharField(
        max_length=20, blank=True, help_text="order_number, order_id, supplier or manual."
    )
    manual = models.BooleanField(default=False, help_text="Set by a person: kept on re-routing.")
    counted = models.BooleanField(
        default=False, help_text="Its quantities are in the order lines' invoiced quantities."
    )
    reasons = models.JSONField(default=list, blank=True)
    invoice_net = models.DecimalField(**MONEY)
    expected_net = models.DecimalField(**MONEY, help_text="The order's price of what is billed.")
    matched_at = models.DateTimeField(auto_now=True)
    matched_by = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.status} ({self.order_id})"


class InvoiceLineMatch(models.Model):
    """One invoice row's result: the order lines it took quantity from, and the variances."""

    class Status(models.TextChoices):
        MATCHED = "matched"
        OVER_INVOICED = "over_invoiced"
        PRICE_VARIANCE = "price_variance"
        UNMATCHED = "unmatched"

    match = models.ForeignKey(InvoiceMatch, on_delete=models.CASCADE, related_name="lines")
    # Emptied when the invoice's rows are replaced: a person's match then no longer holds.
    row = models.ForeignKey(
        "invoices.InvoiceRow", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    row_position = models.PositiveIntegerField(help_text="0: the invoice as a whole (no rows).")
    status = models.CharField(max_length=20, choices=Status.choices)
    found_by = models.CharField(max_length=20, blank=True)
    quantity = models.DecimalField(**QUANTITY, help_text="Signed: negative on a credit note.")
    quantity_over = models.DecimalField(**QUANTITY, default=Decimal(0))
    unit_price = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    order_unit_price = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    price_variance = models.DecimalField(
        max_digits=24, decimal_places=8, null=True, blank=True, help_text="Per unit, signed."
    )
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["row_position"]

    def __str__(self) -> str:
        return f"row {self.row_position}: {self.status}"


class MatchAllocation(models.Model):
    """The quantity of an order line one invoice row bills (negative: credited)."""

    line = models.ForeignKey(InvoiceLineMatch, on_delete=models.CASCADE, related_name="allocations")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.DecimalField(**QUANTITY)

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.quantity}"
