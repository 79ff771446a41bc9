"""Purchase orders in the admin: browsed, never edited (the API and imports write them)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin, ReadOnlyInline
from payables.orders.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine


class OrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = [
        "position", "line_id", "item_code", "description", "quantity", "unit", "unit_price",
        "net_amount", "vat_code", "account_code", "dimensions", "received_quantity",
        "invoiced_quantity",
    ]  # fmt: skip


class ReceiptInline(ReadOnlyInline):
    model = GoodsReceipt
    fields = ["received_at", "reference", "actor", "created_at"]


class ReceiptLineInline(ReadOnlyInline):
    model = GoodsReceiptLine
    fields = ["order_line", "quantity"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "supplier", "status", "order_date", "gross_amount"]
    list_filter = ["status", "company"]
    search_fields = ["number", "supplier__name"]
    inlines = [OrderLineInline, ReceiptInline]


@admin.register(GoodsReceipt)
class GoodsReceiptAdmin(ReadOnlyAdmin):
    list_display = ["order", "received_at", "reference", "actor"]
    search_fields = ["order__number", "reference"]
    inlines = [ReceiptLineInline]
