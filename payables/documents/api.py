"""Documents endpoints: upload locations, multipart uploads, documents, the digitized feed."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from payables.documents.errors import DocumentNotFound
from payables.documents.feed_page import page_json
from payables.documents.models import MAX_USERDATA_BYTES
from payables.documents.queries import digitized_values_after, find_documents, get_document
from payables.documents.schemas import (
    DigitizedPage,
    DocumentFilters,
    DocumentOut,
    DocumentReviewIn,
    DocumentsOut,
    UploadLocationOut,
    UploadLocationParams,
)
from payables.documents.services import (
    complete_upload,
    create_upload_location,
    receive_document,
    refuse_oversized,
    review_document,
)
from payables.events.schemas import FeedParams
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped
from payables.tenancy.queries import company_by_code

router = Router(tags=["documents"])
feeds_router = Router(tags=["feeds"])  # mounted at /feeds, beside the others
read = scoped("documents:read")
write = scoped("documents:write")


@router.get("/upload-location", response=UploadLocationOut, auth=write, by_alias=True)
def upload_location(request: HttpRequest, params: Query[UploadLocationParams]) -> dict:
    """Get a URL to PUT one document's bytes to (a PDF, a scan, an e-invoice XML).

    PUT the bytes to `url` with the `Content-Type` and `Content-Disposition` headers given,
    before `expires_at`. The upload is signed: another Content-Type, a body over the size
    limit, an altered URL or an expired one is refused as S3 refuses it (403
    `SignatureDoesNotMatch` or `AccessDenied`, 400 `EntityTooLarge`, with an S3-style XML
    body). The document (`document_id`) is then read in the background; follow it by
    `GET /documents/{id}`, the digitized feed or the `document.digitized` webhook, which
    all carry your `userdata`. With S3 storage the URL is S3's own: tell payables the upload
    is done with `POST /documents/{id}/uploaded` (else it notices within a minute).
    """
    company = company_by_code(request.actor, params.company_code, loc=["query", "company_code"])
    document, url, grant = create_upload_location(
        actor=request.actor.acting_for(company), filename=params.filename, userdata=params.userdata
    )
    return {
        "url": url,
        "Content-Type": grant.content_type,
        "Content-Disposition": (
            content_disposition_header(as_attachment=True, filename=document.filename)
            if document.filename
            else "attachment"
        ),
        "expires_at": grant.expires_at,
        "document_id": document.id,
    }


@router.post("", response={202: DocumentsOut}, auth=write)
def upload(
    request: HttpRequest,
    files: list[UploadedFile] = File(...),  # noqa: B008 (Ninja's parameter declaration)
    userdata: str = Form("", max_length=MAX_USERDATA_BYTES),
    company_code: str | None = Form(None, min_length=1, max_length=50),
) -> Status[DocumentsOut]:
    """Upload documents to digitize as multipart/form-data: one or several `files`.

    Each file becomes a document of its own, answered in the order sent and then read in
    the background (`state` `uploaded`). What a file is comes from its bytes, not its
    name: PDFs, PNG, JPEG and TIFF scans, and e-invoice XML. XML and PDFs with an embedded
    e-invoice (Factur-X, ZUGFeRD, XRechnung) are imported as e-invoices (exact data);
    other PDFs and images are digitized (text layer, OCR). A file that is none of these,
    or over the size limit, is a `failed` document with its `failure_reason`; the same
    bytes as an earlier document of the company are a `failed` one with reason
    `duplicate` and `duplicate_of`. `userdata` (at most 1 KB) is kept with every file's
    document.
    """
    company = company_by_code(request.actor, company_code, loc=["form", "company_code"])
    actor = request.actor.acting_for(company)
    documents = []
    for upload_file in files:
        if upload_file.size > settings.PAYABLES_DOCUMENT_MAX_BYTES:
            document = refuse_oversized(
                actor=actor,
                filename=upload_file.name or "",
                size=upload_file.size,
                userdata=userdata,
                content_type=upload_file.content_type or "",
            )
        else:
            document = receive_document(
                upload_file.read(),
                actor=actor,
                filename=upload_file.name or "",
                content_type=upload_file.content_type or "",
                userdata=userdata,
            )
        documents.append(document)
    documents = [get_document(request.actor.companies, d.id) for d in documents]
    return Status(202, DocumentsOut(documents=[DocumentOut.from_document(d) for d in documents]))


@router.get("", response=Page[DocumentOut], auth=read)
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> dict:
    """Documents, newest first (of every company the key serves)."""
    documents = find_documents(
        request.actor.companies,
        state=filters.state,
        created_after=filters.created_after,
        created_before=filters.created_before,
    )
    items, count = paginate(documents, filters)
    return {"items": [DocumentOut.from_document(d) for d in items], "count": count}


@router.get("/{document_id}", response=DocumentOut, auth=read)
def get(request: HttpRequest, document_id: UUID) -> DocumentOut:
    return DocumentOut.from_document(get_document(request.actor.companies, document_id))


@router.post("/{document_id}/uploaded", response=DocumentOut, auth=write)
def uploaded(request: HttpRequest, document_id: UUID) -> DocumentOut:
    """Say that the bytes were PUT to the document's S3 upload location: it is read next.

    Optional: payables also notices arrived uploads by itself. A document whose bytes
    have not arrived is a 409 `upload_not_received`; one that has them already is
    answered as it is.
    """
    document = complete_upload(get_document(request.actor.companies, document_id))
    return DocumentOut.from_document(get_document(request.actor.companies, document.id))


@router.post("/{document_id}/review", response=DocumentOut, auth=write)
def review(request: HttpRequest, document_id: UUID, payload: DocumentReviewIn) -> DocumentOut:
    """Complete a `digitized` document (waiting for review): correct fields, create its invoice.

    Send the right value of each field that was missing or wrong; with `page` and `box`
    (and the `label` beside it) the place is remembered for the supplier (by its VAT id,
    IBAN or registry code), and its next document is read there first. The invoice is
    created from the fields (origin `digitized`); fields it still lacks are a 422 at
    `["body", "fields", <name>]`. The document comes to the end of the digitized feed
    again, with its `invoice_id`. A document in another state is a 409
    `document_not_reviewable`.
    """
    document = get_document(request.actor.companies, document_id)
    corrections = {name: c.model_dump() for name, c in payload.fields.items()}
    actor = request.actor.acting_for(document.company)
    review_document(document, actor=actor, corrections=corrections)
    return DocumentOut.from_document(get_document(request.actor.companies, document_id))


@router.get(
    "/{document_id}/content",
    response={200: None},
    auth=read,
    openapi_extra={"responses": {200: {"description": "The bytes", "content": {"*/*": {}}}}},
)
def content(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """Download the document's bytes as uploaded."""
    document = get_document(request.actor.companies, document_id)
    if not document.file:
        raise DocumentNotFound("The document has no stored bytes.", code="content_not_found")
    with document.file.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename or "document"
    )
    response["X-Content-SHA256"] = document.sha256
    return response


@feeds_router.get("/digitized", response=DigitizedPage, auth=read)
def digitized_feed(request: HttpRequest, params: Query[FeedParams]) -> HttpResponse:
    """Documents whose reading ended, in that order: read (`digitized`, `invoice_created`)
    or `failed`, each with its fields, confidences, your `userdata` and its invoice id.

    Follow `next` until it is null; store `cursor` with the data of the page, and start
    from it next time: nothing is skipped or repeated. A key that serves several companies
    (an accounting office's) reads the documents of all of them in one order, each naming
    its company by `company_code`.
    """
    page = digitized_values_after(request.actor.companies, params.from_, limit=params.limit)
    return HttpResponse(page_json(page), content_type="application/json; charset=utf-8")
