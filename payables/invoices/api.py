"""Invoice endpoints: invoices, their attachments and payments."""

from __future__ import annotations

import base64
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from payables.einvoice import render_finvoice, render_ubl
from payables.einvoice.model import Finding
from payables.errors import FieldError, PayloadTooLarge
from payables.invoices.einvoice_mapping import to_canonical
from payables.invoices.errors import AttachmentNotFound
from payables.invoices.models import Attachment
from payables.invoices.queries import (
    get_attachment,
    get_invoice,
    get_served_invoice,
    invoice_detail,
    list_page,
)
from payables.invoices.schemas import (
    AttachmentContentOut,
    AttachmentIn,
    AttachmentOut,
    CancelIn,
    ClearReviewIn,
    ImportedDocumentOut,
    ImportedDocumentsOut,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    NumberingPolicyIn,
    NumberingPolicyOut,
    NumberingPolicyPatch,
    PaymentIn,
    PaymentOut,
    UpsertIn,
    UpsertOut,
)
from payables.invoices.schemas.summaries import InvoiceListOut, summaries
from payables.invoices.services import (
    add_attachment,
    cancel_invoice,
    create_invoice,
    create_numbering_policy,
    decode_base64_content,
    delete_numbering_policy,
    read_attachment,
    record_payment,
    update_invoice,
    update_numbering_policy,
    upsert_invoices,
)
from payables.invoices.services.einvoice_import import DocumentRefused, import_einvoice
from payables.invoices.services.numbering import find_numbering_policy
from payables.invoices.services.review import clear_review as clear_review_service
from payables.json_encoding import json_answer
from payables.tenancy.auth import scoped

router = Router(tags=["invoices"])
policies_router = Router(tags=["numbering policies"])
read = scoped("invoices:read")
write = scoped("invoices:write")


def _detail(request: HttpRequest, ref: str) -> InvoiceOut:
    return InvoiceOut.from_invoice(get_invoice(request.actor.company, ref))


@router.post("/import/upsert", response=UpsertOut, auth=write)
def upsert(request: HttpRequest, payload: UpsertIn) -> dict:
    """Import or update up to 200 invoices by (`source_system`, `source_invoice_id`).

    Always 200 when the envelope is valid: each item's outcome is in `results`
    (`imported`, `updated`, `skipped`, `conflict`, `error`), in item order. A new
    identity is imported; the same identity with the same content (and version) is
    skipped without a write; a higher `source_document_version` (natural order: "2" <
    "10"), or changed content without versions, updates the invoice while it is `new`
    and is a conflict after that; a lower version is skipped as `stale_version`.

    `import_policy` decides the invoice number: `preserve_if_unique_else_fallback`
    keeps the sender's number unless the supplier already used it, else gives a local
    number from the numbering policy (the sender's kept as `external_number`);
    `always_preserve_and_reject_on_conflict` makes a used number a conflict;
    `always_local_numbering` always gives a local number.

    Coding is checked as on `POST /invoices`: codes the company's master data does not
    accept make the item an `error` naming each (e.g. `loc` `["rows", 1, "account_code"]`).
    """
    report = upsert_invoices(
        payload.invoices,
        actor=request.actor,
        import_policy=payload.import_policy,
        numbering_policy_id=payload.numbering_policy_id,
    )
    return report.as_dict()


@router.post(
    "/import",
    response=ImportedDocumentsOut,
    auth=write,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/xml": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                },
            }
        }
    },
)
def import_documents(request: HttpRequest) -> dict:
    """Import e-invoice documents: UBL, CII, Factur-X/ZUGFeRD PDF, Finvoice, Estonian e-invoice.

    Send one document as the raw body (`Content-Type: application/xml` or
    `application/pdf`): a document that cannot be read or fails validation is a 422
    listing every finding (unless the company imports such documents flagged
    `needs_review`). Or send several as multipart/form-data: each gets its own entry,
    imported or refused. Each invoice of a document goes through the batch upsert
    (identity: format + seller + document type + number), so re-sending is safe; the same
    bytes again are recognised as `same_original` (`same_original_cancelled` when their
    invoice was cancelled). A document whose every invoice is an error or a conflict has
    status `failed`; a conflict names the existing invoice (id, number, status).

    The buyer is checked against the company's own VAT number and registry code: an
    invoice addressed to another buyer comes in flagged `needs_review` with a `PAY-BUYER`
    finding naming both, or the document is refused (422) when the company's
    `einvoice_other_buyer_policy` is `refuse`.

    Coding a document proposes (accounts, dimensions) that the company's master data does
    not accept is left out, with a `warnings` entry naming it, and the invoice imports for
    an accountant to code; products are recognised as on `POST /invoices`.
    """
    if request.content_type == "multipart/form-data":
        files = [f for name in request.FILES for f in request.FILES.getlist(name)]
        if not files:
            raise FieldError("Send at least one file.", loc=["files"], code="missing")
        return {"documents": [_import_file(request, f) for f in files]}
    if not request.body:
        raise FieldError("Send the document as the request body.", loc=[], code="missing")
    document = import_einvoice(request.body, actor=request.actor, content_type=request.content_type)
    return {"documents": [ImportedDocumentOut.from_document(document, filename="")]}


def _import_file(request: HttpRequest, upload: UploadedFile) -> ImportedDocumentOut:
    """Import one uploaded file; a refused one becomes an entry, not a failed request."""
    limit = settings.PAYABLES_EINVOICE_MAX_BYTES
    if upload.size > limit:
        refused = DocumentRefused(
            f"{upload.name} has {upload.size} bytes; the limit is {limit}.",
            findings=(Finding("PAY-LIMIT", "fatal", f"The file is larger than {limit} bytes."),),
        )
        return ImportedDocumentOut.from_refused(refused, filename=upload.name)
    try:
        document = import_einvoice(
            upload.read(), actor=request.actor, filename=upload.name,
            content_type=upload.content_type or "",
        )  # fmt: skip
    except DocumentRefused as refused:
        return ImportedDocumentOut.from_refused(refused, filename=upload.name)
    return ImportedDocumentOut.from_document(document, filename=upload.name)


@router.post("", response={201: InvoiceOut}, auth=write)
def create(request: HttpRequest, payload: InvoiceIn) -> Status[InvoiceOut]:
    """Create an invoice (state `new`). Totals must reconcile to the cent.

    The supplier is named by `supplier_id`, or by a `supplier` object holding an `id`,
    a `registry_code` or a `vat_number`; with `name` and `country` it is created when
    no supplier matches. A number the supplier already used is a 409 with `existing_id`.

    **Coding is checked against the company's master data.** Each row's `account_code`,
    `vat_code`, `dimensions` (dimension type code → value code) and `product_code`, and
    each VAT breakdown line's `vat_code`, must name a record that exists, is active and
    is valid on `invoice_date` (`valid_from` / `valid_to` inclusive); otherwise a 422
    locates it, e.g. `["body", "rows", 2, "dimensions", "cost_centre"]` with type
    `unknown_code`, `inactive_code` or `code_out_of_date`, every problem listed together.
    A kind the company keeps no records of is not checked (it has not loaded it yet): no
    accounts at all, no VAT codes, no values of that dimension type, no product items.

    `custom_fields` are checked once the company defines any: an unknown code, a value
    of the wrong type (`number`: decimal, kept as a string; `date`: `YYYY-MM-DD`;
    `text`: at most 500 characters; `list`: a value code valid on `invoice_date`) or a
    missing required field is a 422 at `["body", "custom_fields", "<code>"]`.

    **Products are recognised**: a row whose `item_code` (the seller's product code) is
    mapped for this supplier to one of the company's items gets `product_code`, and the
    item's default account, VAT code and dimensions where the row has none. Given
    codes are never overwritten.
    """
    invoice = create_invoice(payload, actor=request.actor)
    return Status(201, _detail(request, str(invoice.id)))


@router.get("", response=InvoiceListOut, auth=read)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> HttpResponse:
    """The company's invoices, newest first: summaries (the header, supplier, amounts,
    status and dates); `expand=rows,vat_breakdown` adds those. Page by `page` and
    `page_size` (with `count`), or by keyset: pass each answer's `next` as `after`
    (no `count`), which stays as fast on the thousandth page as on the first.
    `GET /invoices/{ref}` answers the whole invoice."""
    company = request.actor.company
    values, count, after = list_page(company, filters)
    expand = frozenset((filters.expand or "").split(",")) - {""}
    items = summaries(values, expand, home_currency=company.home_currency)
    return json_answer({"items": items, "count": count, "next": after})


@router.get("/{ref}", response=InvoiceOut, auth=read)
def get(request: HttpRequest, ref: str) -> HttpResponse:
    """Get an invoice by its UUID or its internal id."""
    return json_answer(invoice_detail(request.actor.company, ref))


@router.patch("/{ref}", response=InvoiceOut, auth=write)
def update(request: HttpRequest, ref: str, payload: InvoicePatch) -> InvoiceOut:
    """Change an invoice while it is `new`; sent `rows` / `vat_breakdown` replace stored ones.

    What is sent is coded as on creation (sent rows are also recognised); a new
    `invoice_date` judges the stored codes again on that date.
    """
    invoice = update_invoice(get_invoice(request.actor.company, ref), payload, actor=request.actor)
    return _detail(request, str(invoice.id))


@router.post("/{ref}/cancel", response=InvoiceOut, auth=write)
def cancel(request: HttpRequest, ref: str, payload: CancelIn) -> InvoiceOut:
    """Cancel an invoice that has not been exported; its number can then be used again."""
    invoice = get_invoice(request.actor.company, ref)
    cancel_invoice(invoice, actor=request.actor, reason=payload.reason)
    return _detail(request, ref)


@router.post("/{ref}/clear-review", response=InvoiceOut, auth=write)
def clear_review(request: HttpRequest, ref: str, payload: ClearReviewIn) -> InvoiceOut:
    """Clear the review flag of an invoice imported with validation errors, saying why.

    Until then its final approval and its export are refused (409 `needs_review`). Its
    findings stay on it; a person needs the accountant or admin role. An invoice not
    flagged is a 409 `review_not_needed`.
    """
    invoice = get_invoice(request.actor.company, ref)
    clear_review_service(invoice, actor=request.actor, reason=payload.reason)
    return _detail(request, ref)


@router.post("/{ref}/attachments", response={201: AttachmentOut}, auth=write)
def attach(request: HttpRequest, ref: str, payload: AttachmentIn) -> Status[AttachmentOut]:
    """Attach a file as base64 (`content_base64`) or a link (`url`, never fetched).

    When both are sent the file is stored and the answer's `warnings` say the URL was ignored.
    """
    invoice = get_invoice(request.actor.company, ref)
    content = None
    if payload.content_base64 is not None:
        content = decode_base64_content(payload.content_base64, loc=["content_base64"])
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
    # raw: the bytes with the content type the attachment was stored with, whatever it is
    openapi_extra={"responses": {200: {"content": {"*/*": {}}}}},
)
def download(
    request: HttpRequest, ref: str, attachment_id: UUID, encoding: Literal["raw", "base64"] = "raw"
) -> HttpResponse | AttachmentContentOut:
    """Download the stored bytes with their content type, or `?encoding=base64` as JSON.

    A key that serves several companies (an accounting office's) downloads the files of
    their invoices too, named by the invoice's UUID, as the exported feed links them.
    """
    invoice = get_served_invoice(request.actor.companies, ref)
    attachment = get_attachment(invoice, attachment_id)
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


@policies_router.get("", response=list[NumberingPolicyOut], auth=scoped("masterdata:read"))
def list_policies(request: HttpRequest) -> list:
    return list(request.actor.company.numbering_policies.all())


@policies_router.post("", response={201: NumberingPolicyOut}, auth=scoped("masterdata:write"))
def create_policy(request: HttpRequest, payload: NumberingPolicyIn) -> Status[object]:
    """Create a policy. Patterns use `{year}`, `{month}` and `{seq}` (e.g. `PI-{year}-{seq:06}`)."""
    return Status(201, create_numbering_policy(payload.model_dump(), actor=request.actor))


@policies_router.get("/{policy_id}", response=NumberingPolicyOut, auth=scoped("masterdata:read"))
def get_policy(request: HttpRequest, policy_id: UUID) -> object:
    return find_numbering_policy(request.actor.company, policy_id)


@policies_router.patch("/{policy_id}", response=NumberingPolicyOut, auth=scoped("masterdata:write"))
def update_policy(request: HttpRequest, policy_id: UUID, payload: NumberingPolicyPatch) -> object:
    policy = find_numbering_policy(request.actor.company, policy_id)
    return update_numbering_policy(
        policy, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@policies_router.delete("/{policy_id}", response={204: None}, auth=scoped("masterdata:write"))
def delete_policy(request: HttpRequest, policy_id: UUID) -> Status[None]:
    delete_numbering_policy(
        find_numbering_policy(request.actor.company, policy_id), actor=request.actor
    )
    return Status(204, None)


@router.get(
    "/{ref}/original",
    response={200: AttachmentContentOut},
    auth=read,
    openapi_extra={"responses": {200: {"content": {"application/xml": {}, "application/pdf": {}}}}},
)
def original(
    request: HttpRequest, ref: str, encoding: Literal["raw", "base64"] = "raw"
) -> HttpResponse | AttachmentContentOut:
    """The document the invoice was imported from, byte-exact (or `?encoding=base64`)."""
    invoice = get_invoice(request.actor.company, ref)
    attachment = invoice.attachments.filter(is_original=True).order_by("-created_at").first()
    if attachment is None:
        raise AttachmentNotFound("This invoice was not imported from a document.")
    return download(request, ref, attachment.id, encoding)


@router.get(
    "/{ref}/ubl",
    auth=read,
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
def ubl(request: HttpRequest, ref: str) -> HttpResponse:
    """The invoice rendered as Peppol BIS Billing 3.0 UBL."""
    invoice = get_invoice(request.actor.company, ref)
    return _xml_download(render_ubl(to_canonical(invoice)), f"{invoice.invoice_number}.xml")


@router.get(
    "/{ref}/finvoice",
    auth=read,
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
def finvoice(request: HttpRequest, ref: str) -> HttpResponse:
    """The invoice rendered as Finvoice 3.0 (a credit note as INV02, with negative amounts).

    Rendered from the stored invoice whatever it came as; `GET /{ref}/original` gives a
    document it was imported from, byte-exact."""
    invoice = get_invoice(request.actor.company, ref)
    document = render_finvoice(to_canonical(invoice))
    return _xml_download(document, f"finvoice-{invoice.invoice_number}.xml")


def _xml_download(document: bytes, filename: str) -> HttpResponse:
    """An XML file to save; the name without what a path or a header would misread
    (invoice numbers often hold a slash)."""
    response = HttpResponse(document, content_type="application/xml")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=get_valid_filename(filename)
    )
    return response
