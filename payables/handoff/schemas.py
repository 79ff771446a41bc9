"""Shapes of the hand-off to accounting: exports, bookings, sync errors and feed documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.urls import reverse
from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema

from payables.approvals.schemas import ApprovalStepOut
from payables.coding.queries import posting_lines_of
from payables.coding.schemas import PostingLineOut
from payables.errors import PayablesError
from payables.handoff.models import SyncError
from payables.invoices.models import Attachment, Invoice
from payables.invoices.schemas import InvoiceOut
from payables.orders.match_schemas import MatchOut
from payables.orders.queries import prefetched_match
from payables.schema_types import InSchema, IsoDate, PageParams, Timestamp
from payables.tenancy.queries import company_code


def _id_as_text(value: object) -> object:
    """Read an internal id sent as a JSON number as its digits (booleans are no numbers)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# An invoice's UUID or internal id, as every invoice path takes it.
InvoiceRef = Annotated[
    str,
    Field(min_length=1, max_length=50),
    BeforeValidator(_id_as_text),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 50}, {"type": "integer"}]}
    ),
]
RequestId = Field(None, max_length=255, description="Idempotency key, if not sent as a header.")


class ExportBatchIn(InSchema):
    invoices: list[InvoiceRef] = Field(
        ...,
        min_length=1,
        max_length=200,
        description="Invoice UUIDs or internal ids (as text or numbers).",
    )
    request_id: str | None = RequestId


class ExportResultOut(Schema):
    ref: str = Field(description="As requested.")
    outcome: Literal["exported", "error"]
    invoice_id: UUID | None = None
    document_id: str | None = None
    export_count: int | None = None
    reexport: bool | None = None
    code: str | None = None
    detail: str | None = None

    @classmethod
    def exported(cls, ref: str, invoice: Invoice) -> ExportResultOut:
        return cls(
            ref=ref,
            outcome="exported",
            invoice_id=invoice.id,
            document_id=invoice.export_document_id,
            export_count=invoice.export_count,
            reexport=invoice.export_count > 1,
        )

    @classmethod
    def refused(cls, ref: str, error: PayablesError) -> ExportResultOut:
        return cls(ref=ref, outcome="error", code=error.code, detail=error.message)


class ExportBatchOut(Schema):
    results: list[ExportResultOut]


class BookedIn(InSchema):
    document_id: str = Field(
        ..., min_length=1, max_length=200, description="The accounting system's document id."
    )
    booking_date: IsoDate
    request_id: str | None = RequestId


class SyncErrorIn(InSchema):
    """A failure to take an export. Name exactly one of `invoice_id` and `document_id`."""

    invoice_id: str | None = Field(
        None, min_length=1, max_length=50, description="UUID or internal id: its latest export."
    )
    document_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description='The feed document\'s `document_id` ("<invoice id>/<export_count>").',
    )
    company_code: str | None = Field(
        None,
        max_length=50,
        description=(
            "The company's registry code; by default the key's own company. A key that "
            "serves several companies names the one the report is about."
        ),
    )
    message: str = Field(..., min_length=1, max_length=2000)
    request_id: str | None = RequestId


class SyncErrorOut(Schema):
    id: UUID
    company_code: str = Field(description="The company's registry code (else its UUID).")
    invoice_id: UUID
    internal_id: int
    invoice_number: str
    document_id: str
    export_count: int
    message: str
    actor: str
    is_open: bool
    reported_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    modified_at: datetime

    @classmethod
    def from_error(cls, error: SyncError) -> SyncErrorOut:
        return cls(
            id=error.id,
            company_code=company_code(error.company),
            invoice_id=error.invoice_id,
            internal_id=error.invoice.internal_id,
            invoice_number=error.invoice.invoice_number,
            document_id=error.document_id,
            export_count=error.export_count,
            message=error.message,
            actor=error.actor,
            is_open=error.resolved_at is None,
            reported_at=error.reported_at,
            resolved_at=error.resolved_at,
            resolution=error.resolution or None,
            modified_at=error.modified_at,
        )


class SyncErrorFilters(PageParams):
    status: Literal["open", "resolved"] | None = None
    invoice_id: UUID | None = None
    reported_after: Timestamp | None = None
    reported_before: Timestamp | None = None
    modified_after: Timestamp | None = None
    modified_before: Timestamp | None = None


class BookingOut(Schema):
    document_id: str
    booking_date: date | None
    booked_at: datetime | None


class AttachmentLinkOut(Schema):
    """A file with the URL to download it (needs `invoices:read`), or a link kept as sent."""

    id: UUID
    kind: str
    filename: str
    content_type: str
    size: int | None
    sha256: str
    is_original: bool
    url: str | None = Field(description="The link, for `kind` url.")
    download_url: str | None = Field(description="Where to download a stored file.")

    @classmethod
    def from_attachment(cls, a: Attachment, *, base_url: str) -> AttachmentLinkOut:
        download = None
        if a.kind == Attachment.Kind.FILE:
            path = reverse(
                "api:download", kwargs={"ref": str(a.invoice_id), "attachment_id": str(a.id)}
            )
            download = base_url.rstrip("/") + path
        return cls(
            id=a.id,
            kind=a.kind,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            is_original=a.is_original,
            url=a.url or None,
            download_url=download,
        )


class ExportedDocumentOut(Schema):
    """One export of an invoice, complete: what an accounting system needs to book it."""

    document_id: str = Field(description='"<invoice id>/<export_count>": names this export.')
    cursor: str = Field(description="The feed position right after this document.")
    company_code: str = Field(description="The company's registry code (else its UUID).")
    exported_at: datetime
    export_count: int
    reexport: bool = Field(description="The invoice was exported before.")
    status: str
    sync_failed: bool
    sync_error_message: str
    booking: BookingOut | None
    invoice: InvoiceOut
    posting_lines: list[PostingLineOut] = Field(
        description="What to book: account, VAT code, dimensions and amounts of each line, "
        "with the VAT split into deductible and non-deductible (added to `expense_amount`) "
        "and the self-assessed VAT of reverse charge."
    )
    attachments: list[AttachmentLinkOut]
    approval_chain: list[ApprovalStepOut] = Field(description="Every round, oldest first.")
    purchase_order_match: MatchOut = Field(
        description="How the invoice compares with its purchase order, line by line (`no_po` "
        "with no lines when it bills none)."
    )

    @classmethod
    def from_invoice(cls, inv: Invoice, *, cursor: str, base_url: str) -> ExportedDocumentOut:
        """Build the document; the caller prefetches rows, VAT lines, posting lines,
        attachments and steps."""
        booking = None
        if inv.status == Invoice.Status.BOOKED:
            booking = BookingOut(
                document_id=inv.booking_document_id,
                booking_date=inv.booking_date,
                booked_at=inv.booked_at,
            )
        return cls(
            document_id=inv.export_document_id,
            cursor=cursor,
            company_code=company_code(inv.company),
            exported_at=inv.exported_at,
            export_count=inv.export_count,
            reexport=inv.export_count > 1,
            status=inv.status,
            sync_failed=inv.sync_failed,
            sync_error_message=inv.sync_error_message,
            booking=booking,
            invoice=InvoiceOut.from_invoice(inv),
            posting_lines=[
                PostingLineOut.from_line(line, inv.currency) for line in posting_lines_of(inv)
            ],
            attachments=[
                AttachmentLinkOut.from_attachment(a, base_url=base_url)
                for a in inv.attachments.all()
            ],
            approval_chain=[ApprovalStepOut.from_step(s) for s in inv.approval_steps.all()],
            purchase_order_match=MatchOut.build(inv, prefetched_match(inv)),
        )


class ExportedPage(Schema):
    items: list[ExportedDocumentOut]
    next: str | None = Field(None, description="Where to continue; null when read to the end.")
    cursor: str | None = Field(None, description="The position after this page: store it.")
