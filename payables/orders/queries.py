"""Company-scoped reads of purchase orders, for the API and the web."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from payables.invoices import lifecycle
from payables.invoices.models import Invoice
from payables.orders.errors import PurchaseOrderNotFound
from payables.orders.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    InvoiceLineMatch,
    InvoiceMatch,
    MatchAllocation,
    PurchaseOrder,
)
from payables.tenancy.models import Company, CompanyUser


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


@dataclass(frozen=True)
class OrderMatchFacts:
    """What routing needs to know of an invoice's match with its purchase order."""

    status: str
    order_number: str
    requester: CompanyUser | None
    reasons: list[str]

    @property
    def within_tolerance(self) -> bool:
        return self.status in (InvoiceMatch.Status.MATCHED, InvoiceMatch.Status.WITHIN_TOLERANCE)

    @property
    def discrepancy(self) -> bool:
        return self.status == InvoiceMatch.Status.DISCREPANCY


def match_facts(invoice: Invoice) -> OrderMatchFacts | None:
    """The invoice's match with an order, or None when it bills none."""
    if lifecycle.is_created_now(invoice) and invoice.po_match_status == InvoiceMatch.Status.NO_PO:
        return None  # matching, which ran just before, found no order for the new invoice
    match = (
        InvoiceMatch.objects.filter(invoice=invoice, order__isnull=False)
        .select_related("order__requester")
        .first()
    )
    if match is None:
        return None
    reasons = [r["message"] for r in match.reasons]
    reasons += [r["message"] for line in match.lines.all() for r in line.reasons]
    return OrderMatchFacts(match.status, match.order.number, match.order.requester, reasons)


def match_of(invoice: Invoice) -> InvoiceMatch | None:
    """The invoice's match with its lines and their allocations, for answers."""
    return (
        InvoiceMatch.objects.filter(invoice=invoice)
        .select_related("order")
        .prefetch_related(*match_prefetches(""))
        .first()
    )


def match_prefetches(path: str) -> list[str | Prefetch]:
    """What answers show of a match, prefetched from ``path`` (a match, or "" for one)."""
    prefix = f"{path}__" if path else ""
    allocations = MatchAllocation.objects.select_related("order_line").order_by("pk")
    return [
        *([f"{prefix}order"] if prefix else []),
        Prefetch(f"{prefix}lines", queryset=InvoiceLineMatch.objects.order_by("row_position")),
        Prefetch(f"{prefix}lines__allocations", queryset=allocations),
    ]


def prefetched_match(invoice: Invoice) -> InvoiceMatch | None:
    """The invoice's match as prefetched with ``match_prefetches``, or None."""
    try:
        return invoice.po_match
    except InvoiceMatch.DoesNotExist:
        return None
