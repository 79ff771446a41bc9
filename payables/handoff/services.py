"""Hand-off to accounting: export approved invoices, take booking confirmations and sync errors.

An export puts the invoice at the end of the exported feed (``exported_at``); the
accounting system answers with a booking (``booked``) or a failure report, which flags
the invoice ``sync_failed`` until it is exported again or booked.

A feed document's ``document_id`` is ``"<invoice id>/<export_count>"``: one per export, so
a failure report names the export it is about.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from payables.coding.queries import posting_lines_payload
from payables.errors import FieldError, PayablesError
from payables.events import event_types
from payables.events.feeds import next_feed_time
from payables.events.services import lock_company_writes
from payables.handoff.errors import AlreadyBooked, UnknownDocument
from payables.handoff.feed_page import build_documents, is_current
from payables.handoff.models import ExportedDocument, SyncError
from payables.handoff.queries import exported_parts_state, matched_exported_invoices
from payables.invoices import lifecycle
from payables.invoices.errors import InvoiceNotExportable, InvoiceNotFound
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.invoices.queries import get_invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.orders.models import PurchaseOrder
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.permissions import Action, require
from payables.tenancy.queries import company_by_code

MAX_BATCH = 200
EXPORTED_FEED = "exported"
# What writing an exported document again replaces.
_DOCUMENT_FIELDS = (
    "export_count", "order_modified_at", "layout", "head", "posting_lines",
    "purchase_order_match", "written_at",
)  # fmt: skip


@dataclass(frozen=True)
class ExportResult:
    """One item of a batch export: the invoice exported, or the refusal."""

    ref: str
    invoice: Invoice | None = None
    error: PayablesError | None = None


def export_invoice(invoice: Invoice, *, actor: Actor, automatic: bool = False) -> Invoice:
    """Export an approved invoice (or again an exported one) to the end of the exported feed.

    Usable inside an outer transaction (``export_on_approval``, the lifecycle hook, runs
    in the approval's): the company lock is then already held.
    """
    if not automatic:  # the company's setting exports, not the approver who approved last
        require(actor, Action.EXPORT)
    with transaction.atomic():
        lock_company_writes(actor.company)
        at = _next_export_time(actor.company)
        invoice = _export(lock_invoice(invoice), actor=actor, at=at, automatic=automatic)
        keep_exported_documents([invoice.id])
        return invoice


def export_on_approval(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook: hand the invoice on at once where the company exports on approval.

    Runs inside the approval's transaction, which holds the company lock already.
    """
    if invoice.company.auto_export_on_approval:
        export_invoice(invoice, actor=actor, automatic=True)


def export_invoices(refs: Sequence[str], *, actor: Actor) -> list[ExportResult]:
    """Export several invoices (UUID or internal id each); a refused one does not stop the rest.

    One transaction: the exported ones share one ``exported_at`` and become visible in
    the feed together.
    """
    require(actor, Action.EXPORT)
    results: list[ExportResult] = []
    with transaction.atomic():
        lock_company_writes(actor.company)
        at = _next_export_time(actor.company)
        seen: set[UUID] = set()
        for ref in refs:
            try:
                invoice = get_invoice(actor.company, ref)
                if invoice.pk in seen:
                    raise InvoiceNotExportable(
                        "The batch names this invoice more than once.", code="duplicate_in_batch"
                    )
                seen.add(invoice.pk)
                with transaction.atomic():
                    invoice = _export(lock_invoice(invoice), actor=actor, at=at, automatic=False)
            except PayablesError as exc:
                results.append(ExportResult(ref=ref, error=exc))
            else:
                results.append(ExportResult(ref=ref, invoice=invoice))
        keep_exported_documents([r.invoice.id for r in results if r.invoice is not None])
    return results


def keep_exported_documents(invoice_ids: Collection[UUID]) -> dict[UUID, ExportedDocument]:
    """Write the parts of the invoices' feed documents that no longer change (see
    ``ExportedDocument``), replacing older ones; returns them by invoice.

    Export calls it in its transaction, after the lifecycle's hooks (the purchase-order
    match is counted then); so does a change of a matched order (``refresh_order_matches``)
    and the backfill (``fill_exported_documents``). Written in invoice order, so writers
    of the same invoices wait for each other instead of deadlocking. The feed never
    writes: it builds what is missing or stale for its page and uses it.
    """
    documents = build_documents(invoice_ids)
    ExportedDocument.objects.bulk_create(
        documents.values(),
        update_conflicts=True,
        unique_fields=["invoice"],
        update_fields=_DOCUMENT_FIELDS,
    )
    return documents


@dataclass(frozen=True)
class FillProgress:
    """Where ``fill_exported_documents`` stands after a chunk: exported invoices looked at
    so far, and of them the ones whose parts were written (missing or stale)."""

    scanned: int
    written: int


def fill_exported_documents(
    *, company: Company | None = None, chunk_size: int = 500
) -> Iterator[FillProgress]:
    """Write the stored parts of exported invoices where they are missing or stale (the
    backfill after an upgrade: ``payables keep-exported-documents``), by invoice order, one
    transaction per chunk; yields after each chunk.

    Idempotent: a second run writes nothing. An export or order change that races a chunk
    may leave a part stale again; the feed tells (``is_current``) and builds it for its
    page, and the next run writes it.
    """
    after: UUID | None = None
    scanned = written = 0
    while chunk := exported_parts_state(company, after=after, limit=chunk_size):
        after = chunk[-1]["id"]
        stale = [
            c["id"]
            for c in chunk
            if not is_current(
                c["exported_document__export_count"],
                c["exported_document__order_modified_at"],
                c["exported_document__layout"],
                export_count=c["export_count"],
                order_modified_at=c["order_modified_at"],
            )
        ]
        if stale:
            with transaction.atomic():
                keep_exported_documents(stale)
        scanned, written = scanned + len(chunk), written + len(stale)
        yield FillProgress(scanned=scanned, written=written)


def refresh_order_matches(order: PurchaseOrder, *, actor: Actor) -> None:
    """Orders hook (an order changed): write again the stored parts of the exported
    invoices matched to it, whose match shows the order's number and line descriptions.

    Runs in the order's transaction; the feed would otherwise build them for each page.
    """
    if exported := matched_exported_invoices(order):
        keep_exported_documents(exported)


def confirm_booking(
    invoice: Invoice, *, actor: Actor, document_id: str, booking_date: date
) -> Invoice:
    """Mark an exported invoice booked under the accounting system's document id.

    The same confirmation again changes nothing; another document id for a booked invoice
    is a conflict. Open sync errors of the invoice are resolved.
    """
    require(actor, Action.EXPORT)
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        if invoice.status == Invoice.Status.BOOKED:
            if invoice.booking_document_id == document_id:
                return invoice
            raise AlreadyBooked(
                f"The invoice is booked already as {invoice.booking_document_id!r}.",
                extra={"booking_document_id": invoice.booking_document_id},
            )
        lifecycle.check_exported(invoice, to="be booked")
        now = timezone.now()
        resolved = _resolve_open_errors(invoice, SyncError.Resolution.BOOKED, at=now)
        invoice.booked_at = now
        invoice.booking_document_id = document_id
        invoice.booking_date = booking_date
        _clear_sync_failure(invoice)
        lifecycle.book(
            invoice,
            actor=actor,
            comment=f"{document_id} on {booking_date}",
            details={
                "booking_document_id": document_id,
                "booking_date": booking_date.isoformat(),
                "export_document_id": invoice.export_document_id,
                "resolved_sync_errors": resolved,
            },
        )
    return invoice


def report_sync_error(
    *,
    actor: Actor,
    message: str,
    invoice_ref: str | None = None,
    document_id: str | None = None,
    company_code: str | None = None,
) -> SyncError:
    """Record the accounting system's failure to take an export, and flag the invoice.

    The report names the invoice (its latest export) or one export's ``document_id``.
    A report about an export that a re-export has superseded is kept, resolved at once,
    and leaves the invoice as it is. ``company_code`` names the company (its registry
    code; by default the key's own): a key that serves several companies (an accounting
    office's) reports for any of them, and a code of a company the key does not serve
    is refused, not filed elsewhere.
    """
    require(actor, Action.EXPORT)
    if invoice_ref is None and document_id is None:
        raise FieldError(
            "Name the export by document_id, or the invoice by invoice_id.",
            loc=["invoice_id"],
            code="missing_reference",
        )
    if invoice_ref is not None and document_id is not None:
        raise FieldError(
            "Send either invoice_id or document_id, not both.",
            loc=["document_id"],
            code="two_references",
        )
    company = company_by_code(actor, company_code, loc=["company_code"])
    actor = actor.acting_for(company)
    with transaction.atomic():
        lock_company_writes(company)
        invoice, export_count = _reported_export(company, invoice_ref, document_id)
        invoice = lock_invoice(invoice)
        if invoice.status == Invoice.Status.BOOKED:
            raise AlreadyBooked(
                f"The invoice is booked already as {invoice.booking_document_id!r}.",
                extra={"booking_document_id": invoice.booking_document_id},
            )
        lifecycle.check_exported(invoice, to="fail to sync")
        export_count = export_count or invoice.export_count
        superseded = export_count < invoice.export_count
        now = timezone.now()
        error = SyncError.objects.create(
            company=company,
            invoice=invoice,
            export_count=export_count,
            message=message,
            actor=actor.label,
            resolved_at=now if superseded else None,
            resolution=SyncError.Resolution.SUPERSEDED if superseded else "",
        )
        if not superseded:
            invoice.sync_failed = True
            invoice.sync_error_message = message
            invoice.sync_failed_at = now
            invoice.save(
                update_fields=["sync_failed", "sync_error_message", "sync_failed_at", "modified_at"]
            )
        add_audit_entry(invoice, actor, "sync_failed", comment=message)
        record_invoice_event(
            event_types.INVOICE_SYNC_FAILED,
            invoice,
            actor=actor,
            details={
                "sync_error_id": str(error.id),
                "document_id": error.document_id,
                "message": message,
                "superseded": superseded,
            },
        )
    return error


def _export(invoice: Invoice, *, actor: Actor, at: datetime, automatic: bool) -> Invoice:
    lifecycle.check_exportable(invoice)
    reexport = invoice.export_count > 0
    resolved = _resolve_open_errors(invoice, SyncError.Resolution.REEXPORTED, at=at)
    invoice.exported_at = at
    invoice.export_count += 1
    _clear_sync_failure(invoice)
    how = "automatic on approval" if automatic else ""
    if reexport:
        how = ", ".join(filter(None, [f"re-export #{invoice.export_count}", how]))
    return lifecycle.export(
        invoice,
        actor=actor,
        comment=how,
        details={
            "document_id": invoice.export_document_id,
            "export_count": invoice.export_count,
            "reexport": reexport,
            "automatic": automatic,
            "exported_at": at.isoformat(),
            "resolved_sync_errors": resolved,
            "posting_lines": posting_lines_payload(invoice),
        },
    )


def _next_export_time(company: Company) -> datetime:
    """Now, but later than every export so far: feed order is then commit order.

    The feed's clock (``next_feed_time``) orders exports of all companies, so a key that
    serves several reads them in commit order too; the company's latest export covers
    exports made before the clock existed. Callers hold the company's write lock.
    """
    latest = Invoice.objects.for_company(company).aggregate(at=Max("exported_at"))["at"]
    return next_feed_time(EXPORTED_FEED, after=latest)


def _reported_export(
    company: Company, invoice_ref: str | None, document_id: str | None
) -> tuple[Invoice, int | None]:
    """The invoice a report names, and the export (None: the latest)."""
    if document_id is None:
        try:
            return get_invoice(company, invoice_ref or ""), None
        except InvoiceNotFound:
            raise UnknownDocument(
                "No invoice with this id in the company.", loc=["invoice_id"]
            ) from None
    invoice_part, _, count_part = document_id.partition("/")
    unknown = UnknownDocument(
        'No such export; a document_id is "<invoice id>/<export_count>" as the feed gave it.',
        loc=["document_id"],
    )
    try:
        invoice_id = UUID(invoice_part)
    except ValueError:
        raise unknown from None
    if not (count_part.isascii() and count_part.isdigit() and len(count_part) <= 9):
        raise unknown
    invoice = Invoice.objects.for_company(company).filter(pk=invoice_id).first()
    export_count = int(count_part)
    if invoice is None or not 1 <= export_count <= invoice.export_count:
        raise unknown
    return invoice, export_count


def _resolve_open_errors(invoice: Invoice, resolution: str, *, at: datetime) -> int:
    return SyncError.objects.filter(invoice=invoice, resolved_at__isnull=True).update(
        resolved_at=at, resolution=resolution, modified_at=at
    )


def _clear_sync_failure(invoice: Invoice) -> None:
    invoice.sync_failed = False
    invoice.sync_error_message = ""
    invoice.sync_failed_at = None
