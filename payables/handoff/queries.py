"""Company-scoped reads of the hand-off: the exported feed and sync error reports.

Both read the companies an API key serves (its own, and those an accounting office's key
was granted): the feed's order is the export clock's, one order across companies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db.models import F, Prefetch, QuerySet

from payables.approvals.models import ApprovalStep
from payables.events.feeds import Feed, FeedPage, decode_time_and_id, encode_time_and_id, read_feed
from payables.handoff.models import SyncError
from payables.invoices.models import Attachment, Invoice
from payables.orders.queries import match_prefetches
from payables.tenancy.models import Company

# Ordered by (exported_at, id): a batch exported in one transaction shares one timestamp.
EXPORTED = Feed(keys=("exported_at", "id"), encode=encode_time_and_id, decode=decode_time_and_id)


def exported_after(
    companies: Sequence[Company], cursor: str | None, *, limit: int
) -> FeedPage[Invoice]:
    """The companies' exported invoices after the cursor, by export time, with their stored
    document parts (``feed_page``)."""
    return read_feed(EXPORTED, exported_invoices(companies), cursor, limit=limit)


def exported_invoices(companies: Sequence[Company]) -> QuerySet[Invoice]:
    """Exported invoices with their supplier, company and stored document parts, and when
    their matched order last changed (``order_modified_at``: are the stored parts current?)."""
    return (
        Invoice.objects.filter(company__in=companies)
        .filter(exported_at__isnull=False)
        .select_related("supplier", "company", "exported_document")
        .annotate(order_modified_at=F("po_match__order__modified_at"))
    )


def invoices_to_keep(invoice_ids: Sequence[UUID]) -> QuerySet[Invoice]:
    """Invoices with what their stored document parts show besides rows and VAT lines."""
    return (
        Invoice.objects.filter(pk__in=invoice_ids)
        .select_related("company")
        .prefetch_related("posting_lines", *match_prefetches("po_match"))
        .order_by("pk")
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
