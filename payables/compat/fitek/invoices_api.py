"""Fitek's invoice imports: Invoice Import, Confirmation Flow Action, File Import and
Transaction rows Import, over the native services of each."""

from __future__ import annotations

import base64
import binascii
import re

from django.http import HttpRequest
from ninja import Router, Status

from payables.approvals.schemas import AppendApproversOut, AppendOutcomeOut
from payables.approvals.services import ApproverRequest, append_approvers
from payables.coding.inputs import InvoiceRefIn
from payables.coding.queries import find_named_invoice, posting_lines_of, prebooking_of
from payables.coding.schemas import CodingOut
from payables.coding.services import replace_posting_lines
from payables.compat.fitek.credentials import FitekCredentials
from payables.compat.fitek.envelope import failure, item, located, success
from payables.compat.fitek.names import read_payload, to_fitek
from payables.compat.fitek.schemas import (
    AnswerOut,
    ConfirmationFlowPayload,
    EInvoiceIn,
    FileImportPayload,
    InvoiceImportPayload,
    TransactionRowsPayload,
    answer_schema,
    request_schema,
)
from payables.errors import FieldError
from payables.invoices.models import Invoice
from payables.invoices.queries import get_invoice
from payables.invoices.schemas import AttachmentOut, ImportedDocumentOut
from payables.invoices.services import add_attachment, decode_base64_content
from payables.invoices.services.einvoice_import import ImportedDocument, import_einvoice
from payables.invoices.services.upsert import ItemResult
from payables.tenancy.models import Company

router = Router(tags=["invoices"])
ORIGINS = {"E-invoice": Invoice.Origin.E_INVOICE, "Digitized": Invoice.Origin.DIGITIZED}
_DECLARED_ENCODING = re.compile(
    r"""\ufeff?<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']"""
)
REFUSED = dict.fromkeys((401, 403, 404, 409, 413, 422), AnswerOut)

InvoiceImportIn = request_schema("InvoiceImportIn", InvoiceImportPayload)
ConfirmationFlowIn = request_schema("ConfirmationFlowActionIn", ConfirmationFlowPayload)
FileImportIn = request_schema("FileImportIn", FileImportPayload)
TransactionRowsIn = request_schema("TransactionRowsImportIn", TransactionRowsPayload)


@router.post(
    "/InvoiceImport",
    response={200: answer_schema("InvoiceImportOut", ImportedDocumentOut), **REFUSED},
    auth=FitekCredentials("invoices:write"),
)
def invoice_import(request: HttpRequest, payload: InvoiceImportIn) -> Status[dict]:
    """Invoice Import v3: one e-invoice in `Payload.Invoice.E_Invoice` (Estonian e-invoice
    1.1/1.11/1.2, or UBL, CII, Finvoice), imported as `POST /api/v1/invoices/import` does.

    `Payload.Extensions.Origin` tags the invoice `E-invoice` (the default) or `Digitized`.
    The same bytes again are recognised (`Outcome` `skipped`, `Detail` `same_original`).
    A document that cannot be read or fails validation is a 422 whose `Errors` are its
    findings (`XmlLocation` inside the document); a document whose invoice could not be
    imported (a number the supplier already used: 409) answers `Success: false` with the
    outcome in `Result`.
    """
    data = read_payload(payload.Payload, InvoiceImportPayload)
    content, field = _document(data.invoice)
    with located(InvoiceImportPayload, default=["Payload", "Invoice", field]):
        document = import_einvoice(
            content, actor=request.actor, origin=ORIGINS[data.extensions.origin]
        )
    result = _imported(request.actor.company, document)
    if document.status != "failed":
        return Status(200, success(request, result))
    failed = [r for r in document.results if r.outcome in {"error", "conflict"}]
    errors = [error for r in failed for error in _result_error(r, field)]
    status = 409 if all(r.outcome == "conflict" for r in failed) else 422
    return Status(status, failure(request, errors, result))


def _document(invoice: EInvoiceIn) -> tuple[bytes, str]:
    """The document's bytes and the field they came in."""
    if (invoice.e_invoice is None) == (invoice.e_invoice_base64 is None):
        raise FieldError(
            "Give the document as E_Invoice (its XML as text) or E_InvoiceBase64 (its bytes).",
            loc=["Payload", "Invoice"],
            code="missing" if invoice.e_invoice is None else "ambiguous",
        )
    if invoice.e_invoice is not None:
        return _text_bytes(invoice.e_invoice), "E_Invoice"
    try:
        return base64.b64decode(invoice.e_invoice_base64 or "", validate=True), "E_InvoiceBase64"
    except (binascii.Error, ValueError):
        raise FieldError(
            "Not valid base64.",
            loc=["Payload", "Invoice", "E_InvoiceBase64"],
            code="invalid_base64",
        ) from None


def _text_bytes(text: str) -> bytes:
    """The document's bytes again: the text in the encoding its XML declaration names (the
    parser reads the bytes so), else UTF-8. A character that encoding lacks becomes a
    character reference, which the parser reads back as the character.

    >>> _text_bytes("<?xml version='1.0' encoding='ISO-8859-15'?><a>Ü€</a>")[-9:]
    b'<a>\\xdc\\xa4</a>'
    >>> _text_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><a>€</a>')[-14:]
    b'<a>&#8364;</a>'
    """
    declared = _DECLARED_ENCODING.match(text)
    if declared is None:
        return text.encode()
    try:
        return text.removeprefix("\ufeff").encode(declared[1], errors="xmlcharrefreplace")
    except LookupError:  # not an encoding Python knows: the parser says what it makes of it
        return text.encode()


def _imported(company: Company, document: ImportedDocument) -> dict:
    shown = ImportedDocumentOut.from_document(document, filename="").model_dump(mode="json")
    del shown["filename"]
    result = to_fitek(shown, ImportedDocumentOut)
    for invoice in result["Invoices"]:
        found = get_invoice(company, invoice["InvoiceGuid"]) if invoice["InvoiceGuid"] else None
        invoice["InternalInvoiceId"] = found.internal_id if found else None
        invoice["Origin"] = found.origin if found else None
    return result


def _result_error(result: ItemResult, field: str) -> list[dict]:
    """An invoice of the document that did not come in, as errors at the document."""
    where = ["Payload", "Invoice", field]
    details = {"invoice_number": result.number}
    if result.outcome == "conflict":
        details["existing_id"] = result.invoice_id
        message = f"The invoice conflicts with {result.detail}."
        return [item("conflict", message, where, details)]
    return [
        item(e["type"], e["msg"], where, details | {"field": ".".join(map(str, e["loc"]))})
        for e in result.errors
    ]


def named_invoice(company: Company, data: InvoiceRefIn) -> tuple[Invoice, str | None]:
    """The invoice named by InvoiceGuid or InternalInvoiceId; the GUID wins when both are
    given and name different invoices (the notice says so)."""
    if data.invoice_id is None and data.internal_id is None:
        raise FieldError(
            "Name the invoice: InvoiceGuid or InternalInvoiceId.", loc=["Payload"], code="missing"
        )
    by_guid = data.invoice_id is not None
    field = "InvoiceGuid" if by_guid else "InternalInvoiceId"
    with located(InvoiceRefIn, default=["Payload", field]):
        invoice, notice = find_named_invoice(
            company,
            str(data.invoice_id if by_guid else data.internal_id),
            invoice_id=None,
            internal_id=data.internal_id if by_guid else None,
        )
    if notice:
        notice = (
            f"InternalInvoiceId {data.internal_id} names another invoice; the InvoiceGuid wins: "
            f"this is invoice {invoice.id} (InternalInvoiceId {invoice.internal_id})."
        )
    return invoice, notice


def _invoice_fields(invoice: Invoice, notice: str | None) -> dict:
    return {
        "InvoiceGuid": str(invoice.id),
        "InternalInvoiceId": invoice.internal_id,
        "Notice": notice,
    }


@router.post(
    "/ConfirmationFlowAction",
    response={200: answer_schema("ConfirmationFlowActionOut", AppendApproversOut), **REFUSED},
    auth=FitekCredentials("approvals:write"),
)
def confirmation_flow_action(request: HttpRequest, payload: ConfirmationFlowIn) -> Status[dict]:
    """Confirmation Flow Action v3: append `Users` (each `User` by code, e-mail or id, at a
    `Level`: 3 pre-verification, 2 verification, 1 approval) at the end of the invoice's
    approval chain, as `POST /api/v1/invoices/{ref}/approvers` does.

    Only `new` and `assigned` invoices take approvers (else 409). Each user is `added`, or
    `skipped` with a `Reason` (`unknown_user`, `inactive`, `not_an_approver`,
    `cannot_be_last_approver`, `approval_limit_below_amount`, `already_in_chain`,
    `duplicate_in_request`); a skip never stops the others.
    """
    data = read_payload(payload.Payload, ConfirmationFlowPayload)
    company = request.actor.company
    invoice, notice = named_invoice(company, data)
    requests = [ApproverRequest(user=a.user, level=a.level) for a in data.approvers]
    with located(ConfirmationFlowPayload):
        outcomes = append_approvers(invoice, requests, actor=request.actor)
    invoice = get_invoice(company, str(invoice.id))
    shown = AppendApproversOut(
        invoice_id=invoice.id,
        status=invoice.status,
        results=[
            AppendOutcomeOut(
                user=o.requested,
                user_id=o.user.pk if o.user else None,
                level=o.level,
                outcome="added" if o.added else "skipped",
                reason=o.reason,
                step_id=o.step.pk if o.step else None,
            )
            for o in outcomes
        ],
    )
    result = to_fitek(shown.model_dump(mode="json"), AppendApproversOut)
    return Status(200, success(request, result | _invoice_fields(invoice, notice)))


@router.post(
    "/FileImport",
    response={200: answer_schema("FileImportOut", AttachmentOut), **REFUSED},
    auth=FitekCredentials("invoices:write"),
)
def file_import(request: HttpRequest, payload: FileImportIn) -> Status[dict]:
    """File Import v3: attach a file (`ContentBase64`) or a link (`Url`) to an invoice, as
    `POST /api/v1/invoices/{ref}/attachments` does. When both are given the file is stored
    and `Warnings` say the link was ignored. Links are never fetched; they show among the
    invoice's related documents."""
    data = read_payload(payload.Payload, FileImportPayload)
    invoice, notice = named_invoice(request.actor.company, data)
    content = None
    if data.content_base64 is not None:
        content = decode_base64_content(data.content_base64, loc=["Payload", "ContentBase64"])
    with located(FileImportPayload):
        added = add_attachment(
            invoice,
            actor=request.actor,
            content=content,
            url=str(data.url) if data.url else None,
            filename=data.filename,
            content_type=data.content_type,
        )
    shown = AttachmentOut.from_attachment(added.attachment, warnings=added.warnings)
    result = to_fitek(shown.model_dump(mode="json"), AttachmentOut)
    return Status(200, success(request, result | _invoice_fields(invoice, notice)))


@router.post(
    "/TransactionRowsImport",
    response={200: answer_schema("TransactionRowsImportOut", CodingOut), **REFUSED},
    auth=FitekCredentials("coding:write"),
)
def transaction_rows_import(request: HttpRequest, payload: TransactionRowsIn) -> Status[dict]:
    """Transaction rows Import: replace the invoice's posting lines, as `PUT
    /api/v1/invoices/{ref}/posting-lines` does (the same checks: net and VAT add up to the
    invoice's, codes exist and are valid on its date; `new`, `assigned`, `approved` or
    `rejected` invoices only). The invoice is named by `InvoiceGuid` or `InternalInvoiceId`;
    when both are given and name different invoices the GUID wins and `Notice` says so."""
    data = read_payload(payload.Payload, TransactionRowsPayload)
    company = request.actor.company
    invoice, notice = named_invoice(company, data)
    with located(TransactionRowsPayload):
        invoice = replace_posting_lines(invoice, data.lines, actor=request.actor)
    invoice = get_invoice(company, str(invoice.id))
    shown = CodingOut.build(
        invoice, posting_lines_of(invoice), prebooking_of(invoice), notice=notice
    )
    result = to_fitek(shown.model_dump(mode="json"), CodingOut)
    return Status(200, success(request, result))
