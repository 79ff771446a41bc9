"""Company-scoped reads of purchase orders, for the API and the web."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from payables.orders.errors import PurchaseOrderNotFound
from payables.orders.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder
from payables.tenancy.models import Company


def orders_with_lines(company: Company) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.filter(company=company)
        .select_related("supplier", "requester")
        .prefetch_related("lines")
    )


def get_order(company: Company, ref: str | UUID) -> PurchaseOrder:
    """An order by its UUID; another company's is not found."""
    try:
        order = orders_with_lines(company).filter(pk=UUID(str(ref))).first()
    except ValueError:
        order = None
    if order is None:
        raise PurchaseOrderNotFound()
    return order


def get_order_by_number(company: Company, number: str) -> PurchaseOrder:
    order = orders_with_lines(company).filter(number=number).first()
    if order is None:
        raise PurchaseOrderNotFound()
    return order


def filter_orders(company: Company, filters: object) -> QuerySet[PurchaseOrder]:
    """Apply the list filters; newest order date first, then by number for stable pages."""
    exact = {
        "status": filters.status,
        "supplier_id": filters.supplier_id,
        "number": filters.number,
        "modified_at__gt": filters.modified_after,
        "modified_at__lt": filters.modified_before,
    }
    qs = orders_with_lines(company).filter(**{k: v for k, v in exact.items() if v is not None})
    return qs.order_by("-order_date", "number")


def order_receipts(order: PurchaseOrder) -> QuerySet[GoodsReceipt]:
    lines = GoodsReceiptLine.objects.select_related("order_line").order_by("pk")
    return order.receipts.prefetch_related(Prefetch("lines", queryset=lines))
