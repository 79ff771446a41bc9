"""The digitization service's queue documents, built from payables' documents and exports.

The description names a document's attributes only in passing (``documentid``,
``companycode``, ``digitizedat``, ``exportedat``, ``userdata``) and publishes the rest as a
JSON Schema of its own; payables serves its schema of these documents at
``/compat/digitization/schema`` (``$schema`` of every queue page). Attribute names follow
the description's style: lower case, no separators.

A ``digitized`` document is what reading the file found (``confidence`` per attribute); an
``exported`` one is the invoice as the accountant exported it, coded (``lines`` are its
posting lines). Both name the upload by ``documentid``: the uploaded document's id, or for
an invoice that came another way (e-invoice, API), the invoice's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from ninja import Schema
from pydantic import Field

from payables.documents.models import Document
from payables.documents.queries import documents_of
from payables.handoff.schemas import ExportedDocumentOut
from payables.invoices.models import Invoice
from payables.tenancy.models import Company
from payables.tenancy.queries import company_code

# payables' field names (payables.documents.fields) → the queue document's attributes.
READ_FIELDS = {
    "invoice_number": "invoicenumber",
    "issue_date": "invoicedate",
    "due_date": "duedate",
    "vat_date": "vatdate",
    "currency": "currency",
    "seller_name": "sellername",
    "seller_vat_id": "sellervatcode",
    "seller_registry_code": "sellercode",
    "buyer_name": "buyername",
    "buyer_vat_id": "buyervatcode",
    "iban": "iban",
    "bic": "bic",
    "payment_reference": "paymentreference",
    "order_number": "ordernumber",
    "net_amount": "netamount",
    "vat_amount": "vatamount",
    "gross_amount": "totalamount",
}


class QueueVatLineOut(Schema):
    vatrate: str | None = Field(description="Percent.")
    netamount: str | None
    vatamount: str | None
    vatcode: str = Field(description="The company's VAT code; empty when not coded.")


class QueueLineOut(Schema):
    description: str
    quantity: str | None
    unitprice: str | None
    netamount: str | None
    vatrate: str | None
    vatamount: str | None
    account: str = Field(description="The account it is booked to; empty when not coded.")
    vatcode: str
    dimensions: dict[str, str] = Field(description="Dimension type → value (cost centre, …).")


class QueueDocumentOut(Schema):
    """One document of the digitized or the exported queue."""

    documentid: str = Field(description="The uploaded document's id (else the invoice's).")
    companycode: str = Field(description="The company's registry code (else its UUID).")
    userdata: str = Field(description="As sent with the upload; empty if none.")
    filename: str
    state: str = Field(
        description=(
            "digitized queue: `digitized` (waiting for review), `invoice_created` or "
            "`failed`; exported queue: the invoice's status (`exported`, `booked`)."
        )
    )
    digitizedat: str | None = Field(description="When reading ended; ISO 8601, UTC, to the ms.")
    exportedat: str | None = Field(description="When the accountant exported it; ISO 8601.")
    invoiceid: UUID | None = Field(description="payables' invoice made from it.")
    exportid: str | None = Field(description="`<invoice id>/<export count>`: this export.")
    invoicenumber: str | None
    invoicedate: str | None
    duedate: str | None
    vatdate: str | None
    currency: str | None
    sellername: str | None
    sellervatcode: str | None
    sellercode: str | None = Field(description="The seller's registry (company) code.")
    buyername: str | None
    buyervatcode: str | None
    iban: str | None
    bic: str | None
    paymentreference: str | None
    ordernumber: str | None
    netamount: str | None
    vatamount: str | None
    totalamount: str | None
    vatbreakdown: list[QueueVatLineOut]
    lines: list[QueueLineOut]
    confidence: dict[str, float] = Field(
        description="Attribute → how sure the reading is (0 to 1); empty once exported."
    )
    failurereason: str = Field(description="Why reading failed; empty unless failed.")
    failuremessage: str
    fileurl: str | None = Field(description="The file as uploaded (needs `documents:read`).")


def stamp_text(at: datetime | None) -> str | None:
    """A queue timestamp as ISO 8601 in UTC, to the millisecond, as the description shows.

    >>> stamp_text(datetime(2019, 11, 26, 12, 30, 47, 373999, tzinfo=UTC))
    '2019-11-26T12:30:47.373Z'
    """
    if at is None:
        return None
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _file_url(document: Document) -> str | None:
    if not document.file:
        return None
    root = reverse("api:api-root")  # the native API: GET /documents/{id}/content
    return f"{settings.BASE_URL.rstrip('/')}{root}documents/{document.id}/content"


def digitized_document(document: Document) -> dict:
    """The queue document of what reading ``document`` found."""
    found = document.fields or {}
    values = {
        ours: _text((found.get(name) or {}).get("value")) for name, ours in READ_FIELDS.items()
    }
    return {
        "documentid": str(document.id),
        "companycode": company_code(document.company),
        "userdata": document.userdata,
        "filename": document.filename,
        "state": document.state,
        "digitizedat": stamp_text(document.digitized_at),
        "exportedat": None,
        "invoiceid": document.invoice_id,
        "exportid": None,
        **values,
        "vatbreakdown": [
            {
                "vatrate": _text(row.get("rate")),
                "netamount": _text(row.get("net")),
                "vatamount": _text(row.get("vat")),
                "vatcode": "",
            }
            for row in document.vat_breakdown or []
        ],
        "lines": [
            {
                "description": str(row.get("description") or ""),
                "quantity": _text(row.get("quantity")),
                "unitprice": _text(row.get("unit_price")),
                "netamount": _text(row.get("net_amount")),
                "vatrate": _text(row.get("vat_rate")),
                "vatamount": None,
                "account": "",
                "vatcode": "",
                "dimensions": {},
            }
            for row in document.lines or []
        ],
        "confidence": {
            ours: float((found.get(name) or {}).get("confidence") or 0)
            for name, ours in READ_FIELDS.items()
            if name in found
        },
        "failurereason": document.failure_reason,
        "failuremessage": document.failure_message,
        "fileurl": _file_url(document),
    }


def source_documents(companies: Sequence[Company], invoices: Iterable[Invoice]) -> dict:
    """The uploaded document each invoice was made from (the latest), by invoice id."""
    ids = [invoice.pk for invoice in invoices]
    found = documents_of(companies).filter(invoice_id__in=ids).order_by("created_at", "id")
    return {document.invoice_id: document for document in found}


def exported_document(invoice: Invoice, source: Document | None) -> dict:
    """The queue document of an export: the invoice as exported, coded line by line."""
    export = ExportedDocumentOut.from_invoice(invoice, cursor="", base_url=settings.BASE_URL)
    header = export.invoice
    files = [a.download_url for a in export.attachments if a.download_url]
    rates = {row.position: row.vat_rate for row in header.rows}
    return {
        "documentid": str(source.id if source is not None else invoice.id),
        "companycode": export.company_code,
        "userdata": source.userdata if source is not None else "",
        "filename": source.filename if source is not None else "",
        "state": invoice.status,
        "digitizedat": stamp_text(source.digitized_at if source is not None else None),
        "exportedat": stamp_text(invoice.exported_at),
        "invoiceid": invoice.id,
        "exportid": export.document_id,
        "invoicenumber": header.invoice_number,
        "invoicedate": header.invoice_date.isoformat(),
        "duedate": header.due_date.isoformat() if header.due_date else None,
        "vatdate": header.vat_date.isoformat() if header.vat_date else None,
        "currency": header.currency,
        "sellername": header.supplier.name,
        "sellervatcode": _text(header.supplier.vat_number),
        "sellercode": _text(header.supplier.registry_code),
        "buyername": invoice.company.name,
        "buyervatcode": _text(invoice.company.vat_number),
        "iban": _text(header.bank_account),
        "bic": _text(header.bic),
        "paymentreference": _text(header.payment_reference),
        "ordernumber": _text(header.order_number),
        "netamount": header.net_amount,
        "vatamount": header.vat_amount,
        "totalamount": header.gross_amount,
        "vatbreakdown": [
            {
                "vatrate": v.vat_rate,
                "netamount": v.base_amount,
                "vatamount": v.vat_amount,
                "vatcode": v.vat_code,
            }
            for v in header.vat_breakdown
        ],
        "lines": [
            {
                "description": line.description,
                "quantity": None,
                "unitprice": None,
                "netamount": line.net_amount,
                "vatrate": rates.get(line.row_position),
                "vatamount": line.vat_amount,
                "account": line.account_code,
                "vatcode": line.vat_code,
                "dimensions": {str(k): str(v) for k, v in line.dimensions.items()},
            }
            for line in export.posting_lines
        ],
        "confidence": {},
        "failurereason": "",
        "failuremessage": "",
        "fileurl": _file_url(source) if source is not None else (files[0] if files else None),
    }
