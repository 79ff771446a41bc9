"""Fennoa's purchase invoice endpoints: get, add, unbooked, Finvoice, attachments, payments."""

from __future__ import annotations

import base64

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.text import get_valid_filename

from payables.compat.fennoa import records
from payables.compat.fennoa.endpoint import endpoint, one_id
from payables.compat.fennoa.envelope import located_as, ok
from payables.compat.fennoa.mapping import ADD_LOCS, PAYMENT_LOCS, invoice_input
from payables.compat.fennoa.params import body_values, query_values
from payables.compat.fennoa.queries import (
    current_round,
    fennoa_invoice,
    original_document,
    with_fennoa_facts,
)
from payables.compat.fennoa.schemas import (
    FennoaAddIn,
    FennoaAttachmentParams,
    FennoaIn,
    FennoaInvoiceParams,
    FennoaPaymentIn,
    FennoaUnbookedParams,
)
from payables.einvoice import render_finvoice
from payables.errors import FieldError, NotFound, PayloadTooLarge
from payables.invoices.einvoice_mapping import to_canonical
from payables.invoices.errors import AttachmentNotFound, UnknownSupplier
from payables.invoices.queries import filter_invoices, get_attachment_by_internal_id
from payables.invoices.schemas import InvoiceFilters
from payables.invoices.services import (
    add_attachment,
    create_invoice,
    read_attachment,
    record_payment,
)
from payables.masterdata.queries import get_supplier_by_internal_id
from payables.money import format_amount


@endpoint("GET", "invoices:read", not_found=404)
def purchase_invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """``GET <id>``: the invoice with its approval status, and its approvers for a key that
    may read approvals (``approvals:read``)."""
    FennoaIn.model_validate(query_values(request))  # it takes no parameters
    invoice = fennoa_invoice(request.actor.company, invoice_id)
    steps = current_round(invoice) if "approvals:read" in request.scopes else None
    return ok(records.invoice_detail(invoice, steps))


@endpoint("GET", "invoices:read", not_found=404)
def finvoice(request: HttpRequest, invoice_id: int | None = None) -> HttpResponse:
    """``get/finvoice``: the invoice's Finvoice as base64: the one it was read from,
    byte-exact, else the stored invoice rendered as Finvoice 3.0.

    payables keeps every original without Fennoa's 12-month limit and writes Finvoice for
    the others, so every invoice has one (``finvoice_available`` is always 1).
    """
    params = FennoaInvoiceParams.model_validate(one_id(invoice_id, query_values(request), "id"))
    invoice = fennoa_invoice(request.actor.company, params.id)
    original = original_document(invoice) if records.came_as_finvoice(invoice) else None
    if original is not None:
        content = read_attachment(original)
        mimetype, filename = original.content_type, original.filename
    else:
        content = render_finvoice(to_canonical(invoice))
        mimetype, filename = (
            "application/xml",
            get_valid_filename(f"finvoice-{invoice.invoice_number}.xml"),
        )
    return ok(
        {
            "encoding": "base64",
            "mimetype": mimetype,
            "file": filename,
            "content": base64.b64encode(content).decode(),
        }
    )


@endpoint("GET", "invoices:read", not_found=404)
def attachment(
    request: HttpRequest, invoice_id: int | None = None, attachment_id: int | None = None
) -> HttpResponse:
    """``get/attachment``: a stored file of the invoice as base64 (the first, unless named)."""
    values = one_id(invoice_id, query_values(request), "purchase_invoice_id")
    params = FennoaAttachmentParams.model_validate(one_id(attachment_id, values, "attachment_id"))
    invoice = fennoa_invoice(request.actor.company, params.purchase_invoice_id)
    if params.attachment_id is not None:
        found = get_attachment_by_internal_id(invoice, params.attachment_id)
        if found.kind != found.Kind.FILE:
            raise AttachmentNotFound("This attachment is a link; it has no stored content.")
    else:
        files = records.files_of(invoice)
        if not files:
            raise AttachmentNotFound("This invoice has no attachment.")
        found = files[0]
    return ok(
        records.attachment_record(found)
        | {
            "encoding": "base64",
            "content": base64.b64encode(read_attachment(found)).decode(),
        }
    )


@endpoint("GET", "invoices:read")
def unbooked(request: HttpRequest) -> HttpResponse:
    """``get/unbooked``: invoices accounting has not booked (cancelled ones left out), oldest
    first. Prebooked ones only with ``showPreBooked=1``; ``isApproved=1`` the finally
    approved, ``0`` those waiting for approval; ``modifiedAfter`` / ``modifiedBefore``."""
    params = FennoaUnbookedParams.model_validate(query_values(request))
    filters = InvoiceFilters(
        booked=False,
        prebooked=None if params.showPreBooked == 1 else False,
        approved=None if params.isApproved is None else params.isApproved == 1,
        modified_after=params.modifiedAfter,
        modified_before=params.modifiedBefore,
    )
    invoices = with_fennoa_facts(filter_invoices(request.actor.company, filters))
    return ok(
        [
            {"PurchaseInvoice": records.invoice_record(invoice)}
            for invoice in invoices.order_by("internal_id")
        ]
    )


@endpoint("POST", "invoices:write")
def add(request: HttpRequest) -> HttpResponse:
    """``add``: create a purchase invoice from Fennoa's form data; the supplier named by
    ``purchase_supplier_id``, else found by business id or VAT number, else created."""
    form = FennoaAddIn.model_validate(body_values(request))
    supplier_id = None
    if form.purchase_supplier_id is not None:
        try:
            supplier = get_supplier_by_internal_id(request.actor.company, form.purchase_supplier_id)
        except NotFound:
            raise UnknownSupplier(
                "No supplier with this id.", loc=["purchase_supplier_id"]
            ) from None
        supplier_id = supplier.id
    data, metadata = invoice_input(form, supplier_id=supplier_id)
    with located_as(ADD_LOCS):
        invoice = create_invoice(
            data, actor=request.actor, source={"metadata": metadata} if metadata else None
        )
    return ok(
        {
            "PurchaseInvoice": {
                "id": invoice.internal_id,
                "purchase_supplier_id": invoice.supplier.internal_id,
            }
        }
    )


@endpoint("POST", "invoices:write")
def upload_attachment(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """``do/upload_attachment/<id>``: attach the multipart ``file`` to the invoice."""
    if request.content_type != "multipart/form-data":
        raise FieldError(
            "Send the file as multipart/form-data, in the field file.", code="multipart_required"
        )
    unknown = sorted({*request.POST, *request.FILES} - {"file"})
    if unknown:
        raise FieldError("The form has one field, file.", loc=[unknown[0]], code="unknown_field")
    files = request.FILES.getlist("file")
    if len(files) != 1:
        raise FieldError("Send one file, in the field file.", loc=["file"], code="missing")
    upload = files[0]
    limit = settings.PAYABLES_MAX_ATTACHMENT_BYTES
    if upload.size > limit:  # refused before it is read into memory
        raise PayloadTooLarge(f"The file has {upload.size} bytes; the limit is {limit}.")
    invoice = fennoa_invoice(request.actor.company, invoice_id)
    with located_as({("content_base64",): ("file",)}):
        added = add_attachment(
            invoice,
            actor=request.actor,
            content=upload.read(),
            filename=upload.name or "",
            content_type=upload.content_type or "",
        )
    return ok(records.attachment_record(added.attachment))


@endpoint("POST", "invoices:write")
def add_payment(request: HttpRequest) -> HttpResponse:
    """``do/add_payment``: a (partial) payment; no ``account_code``: the configured default
    payment account (``PAYABLES_DEFAULT_PAYMENT_ACCOUNT``)."""
    payment_in = FennoaPaymentIn.model_validate(body_values(request))
    invoice = fennoa_invoice(request.actor.company, payment_in.purchase_invoice_id)
    with located_as(PAYMENT_LOCS):
        payment = record_payment(
            invoice,
            actor=request.actor,
            amount=payment_in.sum,
            payment_date=payment_in.payment_date,
            description=payment_in.description,
            account_code=payment_in.account_code or "",
        )
    invoice.refresh_from_db(fields=["paid_amount"])
    return ok(
        {
            "purchase_invoice_id": invoice.internal_id,
            "sum": format_amount(payment.amount, invoice.currency),
            "payment_date": payment.payment_date.isoformat(),
            "account_code": payment.account_code,
            "total_due": format_amount(invoice.amount_due, invoice.currency),
        }
    )
