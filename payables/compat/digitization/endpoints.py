"""Upload locations, the digitized and exported queues, their schema, sync error reports.

Thin: each reads the description's shape, calls payables' documents, hand-off or feed
reads and services, and answers in the description's shape.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import content_disposition_header
from ninja import Query, Router, Status

from payables.compat.digitization.cursor import read_queue
from payables.compat.digitization.documents import (
    digitized_document,
    exported_document,
    source_documents,
    stamp_text,
)
from payables.compat.digitization.schemas import (
    LocationOut,
    LocationParams,
    LocationQueryParams,
    QueuePageOut,
    QueueQueryParams,
    SyncErrorReportIn,
    SyncErrorReportOut,
)
from payables.documents.models import Document
from payables.documents.queries import documents_of
from payables.documents.services import create_upload_location
from payables.errors import FieldError
from payables.handoff.queries import exported_documents
from payables.handoff.services import report_sync_error
from payables.tenancy.actors import Actor
from payables.tenancy.auth import scoped
from payables.tenancy.queries import company_by_code, company_code

router = Router(tags=["digitization service"])


def _companies(actor: Actor, code: str | None) -> list:
    """The companies a queue reads: every one the key serves, or the one named."""
    if code is None:
        return list(actor.companies)
    return [company_by_code(actor, code, loc=["query", "companycode"])]


def _disposition(filename: str) -> str:
    """``filename="…"`` as the description gives it (RFC 6266 escaping for other names)."""
    if not filename:
        return 'filename="document"'
    return content_disposition_header(as_attachment=False, filename=filename).removeprefix(
        "inline; "
    )


def _location(request: HttpRequest, filename: str, params: LocationParams) -> dict:
    company = company_by_code(request.actor, params.companycode, loc=["query", "companycode"])
    document, url, grant = create_upload_location(
        actor=request.actor.acting_for(company), filename=filename, userdata=params.userdata
    )
    return {
        "url": url,
        "Content-Type": grant.content_type,
        "Content-Disposition": _disposition(document.filename),
        "documentid": document.id,
        "expiresat": stamp_text(grant.expires_at),
    }


@router.get(
    "/upload/{filename}",
    response=LocationOut,
    auth=scoped("documents:write"),
    by_alias=True,
    summary="Get an upload location for a file",
)
def upload_location(request: HttpRequest, filename: str, params: Query[LocationParams]) -> dict:
    """A pre-signed URL to PUT the file to, with the Content-Type and Content-Disposition
    to send. PUT answers 200; then the file is read in the background and comes to the
    digitized queue with its `userdata`."""
    return _location(request, filename, params)


@router.get(
    "/upload",
    response=LocationOut,
    auth=scoped("documents:write"),
    by_alias=True,
    summary="Get an upload location (file name as a parameter)",
)
def upload_location_by_query(request: HttpRequest, params: Query[LocationQueryParams]) -> dict:
    """As `GET /upload/{filename}`, the file name in `filename` (optional)."""
    return _location(request, params.filename, params)


def _schema_url() -> str:
    return settings.BASE_URL.rstrip("/") + reverse("compat-digitization:queue_schema")


@router.get(
    "/digitized",
    response=QueuePageOut,
    auth=scoped("documents:read"),
    by_alias=True,
    exclude_unset=True,
)
def digitized(request: HttpRequest, params: Query[QueueQueryParams]) -> QueuePageOut:
    """Documents whose reading ended (read or failed), by `digitizedat`, ascending.

    Ask again with `from=<next>` while the answer has `next`; store the last
    document's `digitizedat` (or `next`) for the next run. A key that serves several
    companies reads all of them (`companycode` narrows to one).
    """
    rows = documents_of(_companies(request.actor, params.companycode)).filter(
        digitized_at__isnull=False
    )
    page = read_queue(rows, "digitized_at", params.from_, limit=params.limit)
    return _page([digitized_document(d) for d in page.items], page.next)


@router.get(
    "/exported",
    response=QueuePageOut,
    auth=scoped("export:read"),
    by_alias=True,
    exclude_unset=True,
)
def exported(request: HttpRequest, params: Query[QueueQueryParams]) -> QueuePageOut:
    """Invoices the accountant exported, coded, by `exportedat`, ascending (a re-export
    comes again). Paged as the digitized queue."""
    companies = _companies(request.actor, params.companycode)
    page = read_queue(
        exported_documents(companies), "exported_at", params.from_, limit=params.limit
    )
    sources = source_documents(companies, page.items)
    return _page([exported_document(i, sources.get(i.pk)) for i in page.items], page.next)


def _page(documents: list[dict], next_: str | None) -> QueuePageOut:
    page = QueuePageOut.model_validate({"$schema": _schema_url(), "documents": documents})
    if next_ is not None:
        page.next = next_
    return page


@router.get("/schema", response=dict, auth=None, url_name="queue_schema")
def queue_schema(request: HttpRequest) -> dict:
    """The JSON Schema of a queue page (the `$schema` of every page)."""
    schema = QueuePageOut.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _schema_url(),
    } | schema


def _reported_invoice(actor: Actor, documentid: str) -> dict:
    """What ``documentid`` names, as the hand-off service takes it."""
    if "/" in documentid:
        return {"document_id": documentid}
    try:
        document = documents_of(actor.companies).filter(pk=UUID(documentid)).first()
    except ValueError:
        document = None
    if isinstance(document, Document):
        if document.invoice_id is None:
            raise FieldError(
                "The document has no invoice yet: only exported invoices can fail to sync.",
                loc=["body", "documentid"],
                code="invoice_not_exported",
            )
        return {"invoice_ref": str(document.invoice_id)}
    return {"invoice_ref": documentid}


@router.post(
    "/errors",
    response={201: SyncErrorReportOut},
    auth=scoped("export:write"),
    summary="Report a synchronization error",
)
def report_error(request: HttpRequest, payload: SyncErrorReportIn) -> Status[SyncErrorReportOut]:
    """Tell the accountant a document could not be imported into accounting: its invoice
    is flagged `sync_failed` with the message until it is exported again or booked.

    `documentid` is a queue document's (the uploaded document, or the invoice), or its
    `exportid`; `companycode` the company's (by default the key's own).
    """
    reference = _reported_invoice(request.actor, payload.documentid)
    error = report_sync_error(
        actor=request.actor,
        message=payload.message,
        company_code=payload.companycode,
        **reference,
    )
    return Status(
        201,
        SyncErrorReportOut(
            id=error.id,
            documentid=payload.documentid,
            companycode=company_code(error.company),
            message=error.message,
            invoiceid=error.invoice_id,
            exportid=error.document_id,
        ),
    )
