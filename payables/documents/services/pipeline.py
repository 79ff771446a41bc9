"""A document's pipeline, run by its task: e-invoice import or digitizing, then the outcome.

XML, and PDFs with an embedded e-invoice, go through the e-invoice import (exact data,
origin ``e-invoice``). Other PDFs and images go to the extraction engine
(``payables.digitize``: text layer, OCR, fields with confidences), called from one place,
``read_fields``; the supplier's memory of corrections is used when the seller is known.
The task may run again (a worker died): a document that finished is left as it is, and
the invoice made from a document is guarded by its source identity.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from django.db import transaction

from payables import einvoice
from payables.documents.errors import DigitizingFailed
from payables.documents.fields import Reading, exact_field, field_dicts, reading_of
from payables.documents.models import Document, SupplierMemory
from payables.documents.services.invoicing import finding, make_invoice
from payables.documents.services.memory import memory_keys
from payables.documents.services.outcomes import (
    DIGITIZED_FEED,
    FINISHED,
    document_snapshot,
    finish_failed,
    keep_feed_parts,
    locked_document,
    uploader,
)
from payables.documents.sniffing import CONTENT_TYPES
from payables.errors import PayloadTooLarge
from payables.events import event_types
from payables.events.feeds import next_feed_time
from payables.events.services import lock_company_writes, record_event
from payables.invoices.models import Invoice
from payables.invoices.services.einvoice_import import (
    DocumentRefused,
    einvoice_limits,
    import_einvoice,
)
from payables.money import format_amount

logger = logging.getLogger(__name__)


def process_document(document_id: UUID) -> Document:
    """Read an uploaded document and end it digitized (maybe with its invoice) or failed.

    An unexpected error fails the document (``internal_error``) and is raised again for
    the task's record.
    """
    document = _start(document_id)
    if document.state != Document.State.PROCESSING:
        return document
    try:
        data = _read_bytes(document)
        if document.kind == "xml" or (document.kind == "pdf" and _embeds_einvoice(data)):
            return _import_einvoice(document, data)
        reading = _read_with_memory(document, data)
        return finish_read(document, reading, data=data)
    except DigitizingFailed as exc:
        return finish_failed(document, reason=exc.reason, message=exc.message)
    except Exception as exc:
        logger.exception("Digitizing document %s failed", document_id)
        finish_failed(document, reason="internal_error", message=f"{type(exc).__name__}: {exc}")
        raise


def give_up_document(document_id: UUID, *, reason: str) -> Document:
    """Fail a document whose worker kept dying (the task lease reaper gave its task up)."""
    document = Document.objects.select_related("company").get(pk=document_id)
    return finish_failed(document, reason="worker_lost", message=reason)


def read_fields(
    data: bytes, *, memory_for: Callable[[dict[str, dict]], dict[str, dict] | None] | None = None
) -> Reading:
    """Run the extraction engine on the bytes: the one place it is called.

    ``memory_for`` is asked, with the fields of the first reading, for the supplier's
    memory of corrections; the engine applies it to the same reading (no second OCR
    pass). The engine is imported here, when a document needs it: the rest of the app
    does not depend on it. Its refusals become the document's failure reason.
    """
    from payables.digitize import EngineMissing, UnreadableDocument, digitize

    def engine_memory(found: dict) -> dict[str, dict] | None:
        return memory_for(field_dicts(found)) if memory_for else None

    try:
        digitized = digitize(data, memory_for=engine_memory if memory_for else None)
    except (EngineMissing, UnreadableDocument) as exc:
        raise DigitizingFailed(exc.reason, exc.message) from None
    return reading_of(digitized)


def locate_values(data: bytes, values: dict[str, object]) -> dict[str, dict]:
    """Where on the document each value stands ({field: {label, page, box}}): the engine
    finds corrected values for supplier memory. Values it cannot find are left out."""
    from payables.digitize import learn

    return learn(data, values) if values else {}


def _start(document_id: UUID) -> Document:
    """Mark the document ``processing`` (again, after a lost worker) unless it finished."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("company")
            .get(pk=document_id)
        )
        if document.state == Document.State.UPLOADED:
            document.state = Document.State.PROCESSING
            document.save(update_fields=["state", "modified_at"])
    return document


def _read_bytes(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def _embeds_einvoice(data: bytes) -> bool:
    """Whether a PDF carries an e-invoice that the e-invoice import reads (Factur-X, …)."""
    try:
        einvoice.parse(data, limits=einvoice_limits())
    except einvoice.EInvoiceError:
        return False  # no XML, or a PDF only the extraction engine may still read
    return True


def _read_with_memory(document: Document, data: bytes) -> Reading:
    """Read the document; where its seller has a memory of corrections, it is used."""

    def memory_for(fields: dict[str, dict]) -> dict[str, dict] | None:
        memory = (
            SupplierMemory.objects.filter(company=document.company, key__in=memory_keys(fields))
            .order_by("-modified_at")
            .first()
        )
        return memory.fields if memory is not None and memory.fields else None

    return read_fields(data, memory_for=memory_for)


def _import_einvoice(document: Document, data: bytes) -> Document:
    """Import an e-invoice document: its invoices are exact data, no reading needed."""
    try:
        imported = import_einvoice(
            data,
            actor=uploader(document),
            filename=document.filename,
            content_type=CONTENT_TYPES[document.kind],
        )
    except DocumentRefused as refused:
        findings = [finding(f.rule_id, f.message, f.location or "") for f in refused.findings[:50]]
        return finish_failed(
            document, reason="einvoice_refused", message=refused.message, findings=findings
        )
    except PayloadTooLarge as exc:
        return finish_failed(document, reason="too_large", message=exc.message)
    made = [r for r in imported.results if r.invoice_id and r.outcome not in {"error", "conflict"}]
    if not made:
        problems = "; ".join(f"{r.outcome}: {r.detail}" for r in imported.results if r.detail)
        findings = [finding(r.outcome, str(r.detail or r.outcome)) for r in imported.results]
        document.invoice_id = next((r.invoice_id for r in imported.results if r.invoice_id), None)
        return finish_failed(
            document,
            reason="einvoice_not_imported",
            message=f"No invoice of the e-invoice came in ({problems or 'refused'}).",
            findings=findings,
        )
    invoice = Invoice.objects.select_related("supplier").get(pk=made[0].invoice_id)
    reading = Reading(method="e-invoice", fields=_invoice_fields(invoice))
    notes = [finding("warning", warning) for warning in imported.warnings[:50]]
    return finish_read(document, reading, data=data, invoice=invoice, findings=notes)


def _invoice_fields(invoice: Invoice) -> dict[str, dict]:
    """The invoice's data as fields read with certainty (an e-invoice's XML is exact)."""
    cur = invoice.currency
    values = {
        "seller_name": invoice.supplier.name,
        "seller_vat_id": invoice.supplier.vat_number,
        "seller_registry_code": invoice.supplier.registry_code,
        "invoice_number": invoice.invoice_number,
        "issue_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "vat_date": invoice.vat_date,
        "currency": cur,
        "net_amount": format_amount(invoice.net_amount, cur),
        "vat_amount": format_amount(invoice.vat_amount, cur),
        "gross_amount": format_amount(invoice.gross_amount, cur),
        "iban": invoice.bank_account,
        "bic": invoice.bic,
        "payment_reference": invoice.payment_reference,
        "order_number": invoice.order_number,
    }
    return {name: exact_field(value) for name, value in values.items() if value}


def finish_read(
    document: Document,
    reading: Reading,
    *,
    data: bytes,
    invoice: Invoice | None = None,
    findings: list[dict] | None = None,
) -> Document:
    """End the document digitized: store what was read, make its invoice where the
    company's policy allows (unless ``invoice`` came with it), stamp its place in the
    digitized feed and record ``document.digitized``, in one transaction."""
    with transaction.atomic():
        lock_company_writes(document.company)
        stored = locked_document(document)
        if stored.state in FINISHED:
            return stored
        stored.method = reading.method
        stored.pages = reading.pages
        stored.languages = list(reading.languages)
        stored.fields = reading.fields
        stored.vat_breakdown = reading.vat_breakdown
        stored.lines = reading.lines
        stored.text = reading.text
        notes = list(findings or [])
        if invoice is None:
            made = make_invoice(
                stored, reading.fields, actor=uploader(stored), data=data, reviewed=False
            )
            invoice, notes = made.invoice, notes + made.findings
        stored.invoice = invoice
        stored.findings = notes
        stored.failure_reason = stored.failure_message = ""
        stored.state = (
            Document.State.INVOICE_CREATED if invoice is not None else Document.State.DIGITIZED
        )
        stored.digitized_at = next_feed_time(DIGITIZED_FEED)
        stored.save()
        keep_feed_parts([stored.pk])
        record_event(
            event_types.DOCUMENT_DIGITIZED,
            actor=uploader(stored),
            subject_type="document",
            subject_id=stored.id,
            payload=document_snapshot(stored),
        )
    logger.info("Document %s digitized (%s): %s", stored.pk, reading.method, stored.state)
    return stored
