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
