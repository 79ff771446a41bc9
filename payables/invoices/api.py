"""Invoice endpoints: invoices, their attachments and payments."""

from __future__ import annotations

import base64
import binascii
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from payables.errors import FieldError, PayloadTooLarge
from payables.invoices.errors import AttachmentNotFound
from payables.invoices.models import Attachment
from payables.invoices.queries import filter_invoices, get_attachment, get_invoice
from payables.invoices.schemas import (
    AttachmentContentOut,
    AttachmentIn,
    AttachmentOut,
    CancelIn,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    PaymentIn,
    PaymentOut,
)
from payables.invoices.services import (
    add_attachment,
    cancel_invoice,
    create_invoice,
    read_attachment,
    record_payment,
    update_invoice,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["invoices"])
read = scoped("invoices:read")
write = scoped("invoices:write")


def _detail(request: HttpRequest, ref: str) -> InvoiceOut:
    return InvoiceOut.from_invoice(get_invoice(request.actor.company, ref))


@router.post("", response={201: InvoiceOut}, auth=write)
def create(request: HttpRequest, payload: InvoiceIn) -> Status[InvoiceOut]:
    """Create an invoice (state `new`). Totals must reconcile to the cent.

    The supplier is named by `supplier_id`, or by a `supplier` object holding an `id`,
    a `registry_code` or a `vat_number`; with `name` and `country` it is created when
    no supplier matches. A number the supplier already used is a 409 with `existing_id`.
    """
    invoice = create_invoice(payload, actor=request.actor)
    return Status(201, _detail(request, str(invoice.id)))


@router.get("", response=Page[InvoiceOut], auth=read)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> dict:
    items, count = paginate(filter_invoices(request.actor.company, filters), filters)
    return {"items": [InvoiceOut.from_invoice(i) for i in items], "count": count}


@router.get("/{ref}", response=InvoiceOut, auth=read)
def get(request: HttpRequest, ref: str) -> InvoiceOut:
    """Get an invoice by its UUID or its internal id."""
    return _detail(request, ref)


@router.patch("/{ref}", response=InvoiceOut, auth=write)
def update(request: HttpRequest, ref: str, payload: InvoicePatch) -> InvoiceOut:
    """Change an invoice while it is `new`; sent `rows` / `vat_breakdown` replace stored ones."""
    invoice = update_invoice(get_invoice(request.actor.company, ref), payload, actor=request.actor)
    return _detail(request, str(invoice.id))


@router.post("/{ref}/cancel", response=InvoiceOut, auth=write)
def cancel(request: HttpRequest, ref: str, payload: CancelIn) -> InvoiceOut:
    """Cancel an invoice that has not been exported; its number can then be used again."""
    invoice = get_invoice(request.actor.company, ref)
    cancel_invoice(invoice, actor=request.actor, reason=payload.reason)
    return _detail(request, ref)


@router.post("/{ref}/attachments", response={201: AttachmentOut}, auth=write)
def attach(request: HttpRequest, ref: str, payload: AttachmentIn) -> Status[AttachmentOut]:
    """Attach a file as base64 (`content_base64`) or a link (`url`, never fetched).

    When both are sent the file is stored and the answer's `warnings` say the URL was ignored.
    """
    invoice = get_invoice(request.actor.company, ref)
    content = None
    if payload.content_base64 is not None:
        try:
            content = base64.b64decode(payload.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise FieldError(
                "content_base64 is not valid base64.", loc=["content_base64"], code="invalid_base64"
            ) from None
    added = add_attachment(
        invoice,
        actor=request.actor,
        content=content,
        url=str(payload.url) if payload.url else None,
        filename=payload.filename,
        content_type=payload.content_type,
    )
    return Status(201, AttachmentOut.from_attachment(added.attachment, warnings=added.warnings))


@router.post("/{ref}/attachments/upload", response={201: AttachmentOut}, auth=write)
def upload(
    request: HttpRequest,
    ref: str,
    file: UploadedFile | None = File(None),  # noqa: B008 (Ninja declares params this way)
    url: str = Form(""),
) -> Status[AttachmentOut]:
    """Attach a file as multipart/form-data (`file`), or a link (`url`). A file wins over a link."""
    invoice = get_invoice(request.actor.company, ref)
    content = None
    if file is not None:
        limit = settings.PAYABLES_MAX_ATTACHMENT_BYTES
        if file.size > limit:  # refuse before reading it into memory
            raise PayloadTooLarge(f"The file has {file.size} bytes; the limit is {limit}.")
        content = file.read()
    if url and not url.startswith(("http://", "https://")):
        raise FieldError("url must be an http(s) URL.", loc=["url"], code="url_invalid")
    added = add_attachment(
        invoice,
        actor=request.actor,
        content=content,
        url=url or None,
        filename=file.name if file else "",
        content_type=file.content_type if file else "",
    )
    return Status(201, AttachmentOut.from_attachment(added.attachment, warnings=added.warnings))


@router.get("/{ref}/attachments", response=list[AttachmentOut], auth=read)
def list_attachments(request: HttpRequest, ref: str) -> list[AttachmentOut]:
    invoice = get_invoice(request.actor.company, ref)
    return [AttachmentOut.from_attachment(a) for a in invoice.attachments.all()]


@router.get(
    "/{ref}/attachments/{attachment_id}/content",
    response={200: AttachmentContentOut},
    auth=read,
    openapi_extra={"responses": {200: {"content": {"application/octet-stream": {}}}}},
)
def download(
    request: HttpRequest, ref: str, attachment_id: UUID, encoding: Literal["raw", "base64"] = "raw"
) -> HttpResponse | AttachmentContentOut:
    """Download the stored bytes with their content type, or `?encoding=base64` as JSON."""
    attachment = get_attachment(get_invoice(request.actor.company, ref), attachment_id)
    if attachment.kind != Attachment.Kind.FILE:
        raise AttachmentNotFound("This attachment is a link; it has no stored content.")
    content = read_attachment(attachment)
    if encoding == "base64":
        return AttachmentContentOut(
            id=attachment.id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
            content_base64=base64.b64encode(content).decode(),
        )
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.filename
    )
    response["X-Content-SHA256"] = attachment.sha256
    return response


@router.post("/{ref}/payments", response={201: PaymentOut}, auth=write)
def pay(request: HttpRequest, ref: str, payload: PaymentIn) -> Status[PaymentOut]:
    """Record a (partial) payment. Paying more than the amount due is a 422."""
    payment = record_payment(
        get_invoice(request.actor.company, ref),
        actor=request.actor,
        amount=payload.amount,
        payment_date=payload.payment_date,
        description=payload.description,
        account_code=payload.account_code,
    )
    return Status(201, PaymentOut.from_payment(payment))


@router.get("/{ref}/payments", response=list[PaymentOut], auth=read)
def list_payments(request: HttpRequest, ref: str) -> list[PaymentOut]:
    invoice = get_invoice(request.actor.company, ref)
    return [PaymentOut.from_payment(p) for p in invoice.payments.select_related("invoice")]
