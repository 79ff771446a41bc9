"""Purchase orders, tolerances and matches in the admin: browsed, never edited (the API,
imports and matching write them)."""

from __future__ import annotations

from django.contrib import admin

from payables.admin_site import ReadOnlyAdmin, ReadOnlyInline
from payables.orders.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    InvoiceLineMatch,
    InvoiceMatch,
    MatchTolerance,
    PurchaseOrder,
    PurchaseOrderLine,
)


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


@admin.register(MatchTolerance)
class MatchToleranceAdmin(ReadOnlyAdmin):
    list_display = [
        "company", "supplier", "price_percent", "price_amount", "quantity_percent",
        "total_percent", "total_amount", "modified_at",
    ]  # fmt: skip
    list_filter = ["company"]
    search_fields = ["supplier__name"]


class LineMatchInline(ReadOnlyInline):
    model = InvoiceLineMatch
    fields = [
        "row_position", "status", "found_by", "quantity", "quantity_over", "unit_price",
        "order_unit_price", "price_variance", "reasons",
    ]  # fmt: skip


@admin.register(InvoiceMatch)
class InvoiceMatchAdmin(ReadOnlyAdmin):
    list_display = [
        "invoice", "order", "status", "mode", "found_by", "manual", "counted", "matched_at",
    ]  # fmt: skip
    list_filter = ["status", "mode", "manual", "company"]
    search_fields = ["invoice__invoice_number", "order__number"]
    inlines = [LineMatchInline]
