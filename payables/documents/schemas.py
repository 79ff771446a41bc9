"""Shapes of documents to digitize: upload locations, documents, the digitized feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

from payables.documents.fields import FIELD_NAMES
from payables.documents.models import MAX_USERDATA_BYTES, Document
from payables.schema_types import InSchema, PageParams, Timestamp
from payables.tenancy.queries import company_code

CompanyCode = Field(
    None,
    min_length=1,
    max_length=50,
    description=(
        "The company the document is for (its registry code); by default the API key's own. "
        "A key that serves several companies (an accounting office's) names one of them."
    ),
)
Userdata = Field(
    "",
    max_length=MAX_USERDATA_BYTES,
    description=(
        "Your own string (at most 1 KB as UTF-8), kept and given back with the document, "
        "its feed entry and its webhooks: a reference to match the result to the upload."
    ),
)
States = Literal[
    "awaiting_upload", "uploaded", "processing", "digitized", "failed", "invoice_created"
]


class UploadLocationParams(Schema):
    filename: str = Field(
        "",
        max_length=255,
        description=(
            "The file's name; its extension sets the Content-Type to PUT with "
            "(`application/octet-stream` without one: what the file is comes from its bytes)."
        ),
    )
    userdata: str = Userdata
    company_code: str | None = CompanyCode


class UploadLocationOut(Schema):
    """Where to PUT the document's bytes, with exactly these two headers, before expiry."""

    model_config = ConfigDict(populate_by_name=True)

    url: str = Field(description="PUT the bytes here (a pre-signed, expiring URL).")
    content_type: str = Field(
        alias="Content-Type", description="Send this Content-Type header with the PUT."
    )
    content_disposition: str = Field(
        alias="Content-Disposition", description="Send this Content-Disposition header too."
    )
    expires_at: datetime = Field(description="The URL takes no upload after this.")
    document_id: UUID = Field(description="The document the upload becomes.")


class DocumentFieldOut(Schema):
    """A value read from the document, how sure the reading is, and where it was found."""

    value: str | None = Field(
        description="Dates ISO 8601, amounts decimal strings, identifiers compact."
    )
    confidence: float = Field(description="0 to 1; fields at 0.9 or more were validated.")
    validated: bool = Field(description="A check held: a checksum, amounts that add up.")
    page: int | None = Field(description="The page it was found on (1 first); null: exact data.")
    box: list[float] | None = Field(
        description="[x0, y0, x1, y1] as fractions of the page, from its top left; null: none."
    )
    label: str = Field(description="The label the value was found by; empty if none.")

    @classmethod
    def from_json(cls, found: dict) -> DocumentFieldOut:
        value = found.get("value")
        return cls(
            value=None if value is None else str(value),
            confidence=float(found.get("confidence") or 0),
            validated=bool(found.get("validated")),
            page=found.get("page"),
            box=found.get("box"),
            label=found.get("label") or "",
        )


class DocumentFindingOut(Schema):
    code: str = Field(description="`missing`, `unsure`, `derived`, `new_supplier`, … .")
    message: str
    field: str = Field(description="The field it is about; empty if none.")


class DocumentOut(Schema):
    id: UUID
    company_code: str = Field(description="The company's registry code (else its UUID).")
    state: States = Field(
        description=(
            "`awaiting_upload` → `uploaded` → `processing` → `digitized` (read, waiting for "
            "review), `invoice_created` or `failed` (`failure_reason`)."
        )
    )
    channel: str = Field(description="How it came: `upload_url`, `api`, `web` or `cli`.")
    userdata: str = Field(description="Your string, as sent with the upload.")
    filename: str
    content_type: str = Field(description="As declared by the upload.")
    kind: str = Field(description="What the bytes are: `pdf`, `png`, `jpeg`, `tiff`, `xml`.")
    size: int | None
    sha256: str
    method: str = Field(description="`text`, `ocr`, `mixed`, or `e-invoice` (exact data).")
    pages: int | None
    languages: list[str] = Field(description="The OCR languages used (Tesseract codes).")
    fields: dict[str, DocumentFieldOut] = Field(description="Field name → what was read.")
    vat_breakdown: list[dict[str, str | None]] = Field(
        description="{`rate`, `net`, `vat`} per VAT rate, as read."
    )
    lines: list[dict[str, str | None]] = Field(description="Table lines, when a table was found.")
    findings: list[DocumentFindingOut] = Field(description="Why it waits for review, or failed.")
    failure_reason: str = Field(
        description=(
            "`unsupported_format`, `too_large`, `duplicate`, `ocr_engine_missing`, "
            "`encrypted_pdf`, `broken_pdf`, `too_many_pages`, `einvoice_refused`, … ; "
            "empty unless failed."
        )
    )
    failure_message: str
    invoice_id: UUID | None = Field(description="The invoice made from it.")
    duplicate_of: UUID | None = Field(description="The earlier document with the same bytes.")
    upload_expires_at: datetime | None
    uploaded_at: datetime | None
    digitized_at: datetime | None = Field(description="When its reading ended.")
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_document(cls, document: Document) -> DocumentOut:
        return cls(**document_fields(document))


def document_fields(document: Document) -> dict:
    return {
        "id": document.id,
        "company_code": company_code(document.company),
        "state": document.state,
        "channel": document.channel,
        "userdata": document.userdata,
        "filename": document.filename,
        "content_type": document.content_type,
        "kind": document.kind,
        "size": document.size,
        "sha256": document.sha256,
        "method": document.method,
        "pages": document.pages,
        "languages": document.languages,
        "fields": {name: DocumentFieldOut.from_json(f) for name, f in document.fields.items()},
        "vat_breakdown": [text_row(row) for row in document.vat_breakdown],
        "lines": [text_row(row) for row in document.lines],
        "findings": [
            DocumentFindingOut(
                code=str(f.get("code") or f.get("rule_id") or ""),
                message=str(f.get("message") or ""),
                field=str(f.get("location") or ""),
            )
            for f in document.findings
        ],
        "failure_reason": document.failure_reason,
        "failure_message": document.failure_message,
        "invoice_id": document.invoice_id,
        "duplicate_of": document.duplicate_of_id,
        "upload_expires_at": document.upload_expires_at,
        "uploaded_at": document.uploaded_at,
        "digitized_at": document.digitized_at,
        "created_at": document.created_at,
        "modified_at": document.modified_at,
    }


def text_row(row: dict) -> dict[str, str | None]:
    """A VAT breakdown or table row as read, every value a string (or null)."""
    return {str(k): None if v is None else str(v) for k, v in row.items()}


class DocumentsOut(Schema):
    documents: list[DocumentOut] = Field(description="One per file, in the order sent.")


class DocumentFilters(PageParams):
    state: States | None = None
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None


class DigitizedDocumentOut(DocumentOut):
    cursor: str = Field(description="The feed position right after this document.")

    @classmethod
    def from_document(cls, document: Document, cursor: str = "") -> DigitizedDocumentOut:
        """The document as the feed gives it (the feed writes it from plain values; the
        tests compare the two)."""
        return cls(**document_fields(document), cursor=cursor)


class DigitizedPage(Schema):
    items: list[DigitizedDocumentOut]
    next: str | None = Field(None, description="Where to continue; null when read to the end.")
    cursor: str | None = Field(None, description="The position after this page: store it.")


FieldName = Literal[FIELD_NAMES]  # type: ignore[valid-type]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class CorrectionIn(InSchema):
    """A field's right value, and where it is on the page (remembered for the supplier)."""

    value: str = Field(..., min_length=1, max_length=500)
    page: int | None = Field(None, ge=1, le=10_000)
    box: list[Fraction] | None = Field(
        None,
        min_length=4,
        max_length=4,
        description="[x0, y0, x1, y1] as fractions of the page (0 to 1), from its top left.",
    )
    label: str = Field("", max_length=200, description="The label printed beside the value.")


class DocumentReviewIn(InSchema):
    fields: dict[FieldName, CorrectionIn] = Field(
        default_factory=dict, description="Field name → its corrected value."
    )
    request_id: str | None = Field(None, max_length=255)
