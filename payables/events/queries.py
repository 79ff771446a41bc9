"""Company-scoped reads of the feeds: events, and invoices handed to accounting."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from payables.approvals.models import ApprovalStep
from payables.events.feeds import (
    EVENTS,
    Feed,
    FeedPage,
    decode_time_and_id,
    encode_time_and_id,
    read_feed,
)
from payables.events.models import Event
from payables.invoices.models import Attachment, Invoice
from payables.tenancy.models import Company

# Ordered by (exported_at, id): a batch exported in one transaction shares one timestamp.
EXPORTED = Feed(keys=("exported_at", "id"), encode=encode_time_and_id, decode=decode_time_and_id)


def events_after(company: Company, cursor: str | None, *, limit: int) -> FeedPage[Event]:
    """The company's events after the cursor, oldest first."""
    return read_feed(EVENTS, Event.objects.filter(company=company), cursor, limit=limit)


def exported_after(company: Company, cursor: str | None, *, limit: int) -> FeedPage[Invoice]:
    """The company's exported invoices after the cursor, by export time, with their documents."""
    return read_feed(EXPORTED, exported_documents(company), cursor, limit=limit)


def exported_documents(company: Company) -> QuerySet[Invoice]:
    """Exported invoices with everything a feed document shows, in a fixed number of queries."""
    return (
        Invoice.objects.for_company(company)
        .filter(exported_at__isnull=False)
        .select_related("supplier", "company")
        .prefetch_related(
            "rows",
            "vat_lines",
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id")),
            Prefetch(
                "approval_steps",
                queryset=ApprovalStep.objects.select_related("approver").order_by(
                    "round", "position"
                ),
            ),
        )
    )
