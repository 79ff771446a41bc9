"""Company-scoped reads of the hand-off: the exported feed and sync error reports.

Both read the companies an API key serves (its own, and those an accounting office's key
was granted): the feed's order is the export clock's, one order across companies.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from django.db.models import F, Prefetch, QuerySet

from payables.approvals.models import ApprovalStep
from payables.events.feeds import Feed, FeedPage, decode_time_and_id, encode_time_and_id, read_feed
from payables.handoff.models import SyncError
from payables.invoices.models import Attachment, Invoice
from payables.orders.models import PurchaseOrder
from payables.orders.queries import match_prefetches
from payables.tenancy.models import Company

# Ordered by (exported_at, id): a batch exported in one transaction shares one timestamp.
EXPORTED = Feed(keys=("exported_at", "id"), encode=encode_time_and_id, decode=decode_time_and_id)


def exported_after(
    companies: Sequence[Company], cursor: str | None, *, limit: int
) -> FeedPage[dict]:
    """The companies' exported invoices after the cursor, by export time, as values
    (``PAGE_FIELDS``): what may still change of each, and its stored document parts."""
    return read_feed(EXPORTED, exported_rows(companies), cursor, limit=limit)


# What the exported feed's page reads of each invoice (``feed_page.page_json``): what may
# change after export, the stored parts, and when the matched order last changed (are the
# stored parts current?). Values, not objects: a page reads 100 of them.
PAGE_FIELDS = (
    "id", "company_id", "status", "currency", "gross_amount", "home_net_amount",
    "home_vat_amount", "home_gross_amount", "prepaid_amount",
    "paid_amount", "exported_at", "export_count", "booked_at", "booking_document_id",
    "booking_date", "sync_failed", "sync_error_message", "needs_review", "review_findings",
    "po_match_status", "metadata", "modified_at", "supplier_id", "supplier__name",
    "supplier__registry_code", "supplier__vat_number", "supplier__country",
    "exported_document__export_count", "exported_document__order_modified_at",
    "exported_document__layout", "exported_document__head",
    "exported_document__posting_lines", "exported_document__purchase_order_match",
    "order_modified_at",
)  # fmt: skip


def exported_rows(companies: Sequence[Company]) -> QuerySet:
    """The companies' exported invoices as the feed's page reads them (``PAGE_FIELDS``)."""
    return (
        Invoice.objects.filter(company__in=companies)
        .filter(exported_at__isnull=False)
        .annotate(order_modified_at=F("po_match__order__modified_at"))
        .values(*PAGE_FIELDS)
    )


def invoices_to_keep(invoice_ids: Collection[UUID]) -> list[Invoice]:
    """The invoices whose stored document parts are built, with their supplier and
    company, in invoice order (the order their parts are written in)."""
    return list(
        Invoice.objects.filter(pk__in=list(invoice_ids))
        .select_related("supplier", "company")
        .order_by("pk")
    )


def exported_count(company: Company | None) -> int:
    """How many invoices of the company (or of all) were exported."""
    invoices = Invoice.objects.filter(exported_at__isnull=False)
    return (invoices if company is None else invoices.filter(company=company)).count()


def exported_parts_state(company: Company | None, *, after: UUID | None, limit: int) -> list[dict]:
    """The next exported invoices by id (of the company, or of all), each with its export
    count, its stored parts' export and order time, and when its matched order changed:
    whether its parts are current (``feed_page.is_current``)."""
    invoices = Invoice.objects.filter(exported_at__isnull=False)
    if company is not None:
        invoices = invoices.filter(company=company)
    if after is not None:
        invoices = invoices.filter(pk__gt=after)
    return list(
        invoices.annotate(order_modified_at=F("po_match__order__modified_at"))
        .order_by("pk")
        .values(
            "id",
            "export_count",
            "order_modified_at",
            "exported_document__export_count",
            "exported_document__order_modified_at",
            "exported_document__layout",
        )[:limit]
    )


def matched_exported_invoices(order: PurchaseOrder) -> list[UUID]:
    """The exported invoices matched to the order, in invoice order."""
    return list(
        Invoice.objects.filter(po_match__order=order, exported_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def attachments_of(invoice_ids: Sequence[UUID]) -> QuerySet:
    """The invoices' attachments as values, each invoice's oldest first."""
    return (
        Attachment.objects.filter(invoice_id__in=invoice_ids)
        .order_by("invoice_id", "created_at", "id")
        .values(*_ATTACHMENT_FIELDS)
    )


def chains_of(invoice_ids: Sequence[UUID]) -> QuerySet:
    """The invoices' approval steps as values with their approvers, every round, in order."""
    return (
        ApprovalStep.objects.filter(invoice_id__in=invoice_ids)
        .order_by("invoice_id", "round", "position")
        .values(*_STEP_FIELDS)
    )


def exported_documents(companies: Sequence[Company]) -> QuerySet[Invoice]:
    """Exported invoices with everything ``ExportedDocumentOut.from_invoice`` shows, in a
    fixed number of queries."""
    return (
        Invoice.objects.filter(company__in=companies)
        .filter(exported_at__isnull=False)
        .select_related("supplier", "company")
        .prefetch_related(
            "rows",
            "vat_lines",
            "posting_lines",
            *match_prefetches("po_match"),
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id")),
            Prefetch(
                "approval_steps",
                queryset=ApprovalStep.objects.select_related("approver").order_by(
                    "round", "position"
                ),
            ),
        )
    )


def find_sync_errors(
    companies: Sequence[Company],
    *,
    is_open: bool | None = None,
    invoice_id: UUID | None = None,
    reported_after: datetime | None = None,
    reported_before: datetime | None = None,
    modified_after: datetime | None = None,
    modified_before: datetime | None = None,
) -> QuerySet[SyncError]:
    """The companies' sync error reports, newest first, filtered."""
    errors = SyncError.objects.filter(company__in=companies).select_related("invoice", "company")
    if is_open is not None:
        errors = errors.filter(resolved_at__isnull=is_open)
    bounds = {
        "invoice_id": invoice_id,
        "reported_at__gt": reported_after,
        "reported_at__lt": reported_before,
        "modified_at__gt": modified_after,
        "modified_at__lt": modified_before,
    }
    errors = errors.filter(**{k: v for k, v in bounds.items() if v is not None})
    return errors.order_by("-reported_at", "-id")


_ATTACHMENT_FIELDS = (
    "invoice_id", "id", "kind", "filename", "content_type", "size", "sha256", "is_original", "url",
)  # fmt: skip
_STEP_FIELDS = (
    "invoice_id", "id", "round", "position", "level", "approver_id", "approver__code",
    "approver__name", "approver__email", "status", "is_current", "comment", "acted_at",
    "acted_by",
)  # fmt: skip
