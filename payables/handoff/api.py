"""Hand-off endpoints: export invoices, confirm bookings, report and list sync errors, and
the feed of exported invoices."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from payables.errors import NotFound
from payables.events.schemas import FeedParams
from payables.handoff.feed_page import page_json
from payables.handoff.queries import exported_after, find_sync_errors
from payables.handoff.schemas import (
    BookedIn,
    ExportBatchIn,
    ExportBatchOut,
    ExportedPage,
    ExportResultOut,
    SyncErrorFilters,
    SyncErrorIn,
    SyncErrorOut,
)
from payables.handoff.services import (
    confirm_booking,
    export_invoice,
    export_invoices,
    report_sync_error,
)
from payables.invoices.queries import get_invoice, invoice_detail
from payables.invoices.schemas import InvoiceOut
from payables.json_encoding import json_answer
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

# Mounted at /invoices before the invoices router: `/invoices/export` is not an invoice ref.
router = Router(tags=["hand-off"])
sync_errors_router = Router(tags=["hand-off"])
feeds_router = Router(tags=["feeds"])  # mounted at /feeds, beside the event feed
read = scoped("export:read")
write = scoped("export:write")


def _detail(request: HttpRequest, invoice_id: UUID) -> HttpResponse:
    """The invoice as ``GET /invoices/{ref}`` answers it, read after the change."""
    return json_answer(invoice_detail(request.actor.company, str(invoice_id)))


@router.post("/export", response=ExportBatchOut, auth=write)
def export_batch(request: HttpRequest, payload: ExportBatchIn) -> ExportBatchOut:
    """Export up to 200 approved invoices; each item answers for itself, in request order.

    An item is `exported` (with its `document_id`; `reexport` when it was exported
    before) or an `error` with a `code`: `invoice_not_found`, `invoice_not_exportable`
    (not approved or exported), `needs_review` (its review is not cleared),
    `duplicate_in_batch`. The exported ones share one
    `exported_at`.
    """
    results = export_invoices(payload.invoices, actor=request.actor)
    return ExportBatchOut(
        results=[
            ExportResultOut.exported(r.ref, r.invoice)
            if r.invoice is not None
            else ExportResultOut.refused(r.ref, r.error)
            for r in results
        ]
    )


@router.post("/{ref}/export", response=InvoiceOut, auth=write)
def export(request: HttpRequest, ref: str) -> HttpResponse:
    """Export an approved invoice to accounting: it becomes `exported` and joins the feed.

    An exported invoice (also one flagged `sync_failed`) may be exported again: it joins
    the feed again with `reexport` true, and its open sync errors are resolved. Any other
    state is a 409 `invoice_not_exportable`; an invoice flagged for review is a 409
    `needs_review` until an accountant clears it.
    """
    invoice = get_invoice(request.actor.company, ref, details=False)  # locked, read again
    invoice = export_invoice(invoice, actor=request.actor)
    return _detail(request, invoice.id)


@router.post("/{ref}/booked", response=InvoiceOut, auth=write)
def booked(request: HttpRequest, ref: str, payload: BookedIn) -> HttpResponse:
    """Confirm that accounting booked the exported invoice under its own `document_id`.

    The invoice becomes `booked`, its sync errors are resolved. The same confirmation
    again changes nothing; a different `document_id` for a booked invoice is a 409
    `invoice_already_booked`; an invoice not exported is a 409 `invoice_not_exported`.
    """
    invoice = confirm_booking(
        get_invoice(request.actor.company, ref, details=False),
        actor=request.actor,
        document_id=payload.document_id,
        booking_date=payload.booking_date,
    )
    return _detail(request, invoice.id)


@sync_errors_router.post("", response={201: SyncErrorOut}, auth=write)
def report(request: HttpRequest, payload: SyncErrorIn) -> Status[SyncErrorOut]:
    """Report that accounting could not take an export; the invoice is flagged `sync_failed`.

    Name the export by `document_id` (as the feed gave it) or the invoice by `invoice_id`
    (UUID or internal id: its latest export), exactly one of them. `company_code` names
    the company (its registry code; by default the key's own): a key that serves several
    companies reports for any of them; a company it does not serve is a 422 at
    `company_code`. The flag
    stays until the invoice is exported again or booked. A report about an export that
    was superseded by a re-export is kept, resolved at once (`superseded`).
    """
    error = report_sync_error(
        actor=request.actor,
        message=payload.message,
        invoice_ref=payload.invoice_id,
        document_id=payload.document_id,
        company_code=payload.company_code,
    )
    return Status(201, SyncErrorOut.from_error(error))


@sync_errors_router.get("", response=Page[SyncErrorOut], auth=read)
def list_sync_errors(request: HttpRequest, filters: Query[SyncErrorFilters]) -> dict:
    """Sync error reports, newest first; `status` `open` or `resolved`.

    A key that serves several companies lists the reports of all of them (`company_code`).
    """
    errors = find_sync_errors(
        request.actor.companies,
        is_open=None if filters.status is None else filters.status == "open",
        invoice_id=filters.invoice_id,
        reported_after=filters.reported_after,
        reported_before=filters.reported_before,
        modified_after=filters.modified_after,
        modified_before=filters.modified_before,
    )
    items, count = paginate(errors, filters)
    return {"items": [SyncErrorOut.from_error(e) for e in items], "count": count}


@sync_errors_router.get("/{error_id}", response=SyncErrorOut, auth=read)
def get_sync_error(request: HttpRequest, error_id: UUID) -> SyncErrorOut:
    error = find_sync_errors(request.actor.companies).filter(pk=error_id).first()
    if error is None:
        raise NotFound("Sync error not found.", code="sync_error_not_found")
    return SyncErrorOut.from_error(error)


@feeds_router.get("/exported", response=ExportedPage, auth=read)
def exported_feed(request: HttpRequest, params: Query[FeedParams]) -> HttpResponse:
    """Exported invoices as complete documents, in the order they were exported.

    Each document carries header, rows with their coding, VAT breakdown, attachments
    (files with a `download_url`, which needs `invoices:read`), the approval chain and
    `document_id` ("<invoice id>/<export_count>"). A re-export puts the invoice at the end
    again, with `reexport` true. Follow `next` until it is null; store `cursor` with the
    data of the page, and start from it next time: nothing is skipped or repeated.

    A key that serves several companies (an accounting office's) reads the exports of
    all of them in one order; each document names its company by `company_code`.
    """
    companies = request.actor.companies
    page = exported_after(companies, params.from_, limit=params.limit)
    return HttpResponse(
        page_json(page, {c.id: c for c in companies}, base_url=settings.BASE_URL),
        content_type="application/json; charset=utf-8",
    )
