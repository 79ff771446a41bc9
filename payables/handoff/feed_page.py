"""The exported feed's page as JSON text, from stored parts and plain values.

An invoice's rows, VAT breakdown, posting lines and purchase-order match no longer change
once it is exported: they are written as JSON text at export (``ExportedDocument``) and
put into the page as they are; where they are missing (exported before they were kept,
until ``payables keep-exported-documents`` ran) or stale, the page builds them the same
way (``build_documents``) and writes nothing. The rest of a document may still change
(status, booking, sync failure, payments, the supplier's and the approvers' names,
attachments) and is built from the page's rows and two queries, as plain values. The
page is the answer ``ExportedDocumentOut.from_invoice`` builds object by object, written
without validating it again; the tests compare the two.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from django.urls import reverse

from payables.approvals.models import Level
from payables.coding.schemas import posting_line_answers
from payables.events.feeds import FeedPage
from payables.handoff.models import ExportedDocument
from payables.handoff.queries import attachments_of, chains_of, invoices_to_keep
from payables.invoices.models import Attachment, Invoice
from payables.invoices.schemas.details import invoice_answer
from payables.invoices.schemas.summaries import row_answers, vat_line_answers
from payables.json_encoding import (
    PreciseJSONEncoder,
    StoredJson,
    moment_text,
    optional_moment_text,
    optional_text,
)
from payables.orders.match_schemas import match_answers
from payables.tenancy.queries import company_code

LEVEL_NAMES = dict(Level.choices)


def has_current_parts(invoice: Invoice) -> bool:
    """Whether the invoice's stored parts are those of its latest export and order.

    ``invoice`` is read by ``queries.exported_invoices`` (its document and its order's
    ``order_modified_at`` with it).
    """
    stored = getattr(invoice, "exported_document", None)
    return stored is not None and is_current(
        stored.export_count,
        stored.order_modified_at,
        export_count=invoice.export_count,
        order_modified_at=invoice.order_modified_at,
    )


def is_current(
    stored_export_count: int | None,
    stored_order_modified_at: datetime | None,
    *,
    export_count: int,
    order_modified_at: datetime | None,
) -> bool:
    """Whether stored parts (None: none stored) are those of the invoice's latest export
    and of its matched order as it is now."""
    return stored_export_count == export_count and stored_order_modified_at == order_modified_at


def build_documents(invoice_ids: Collection[UUID]) -> dict[UUID, ExportedDocument]:
    """The stored parts of exported invoices as they are now, by invoice, unsaved.

    Built from plain values, a few queries for all of them (``row_answers`` and its
    siblings); the schemas' answers (``ExportedDocumentOut.from_invoice``) are the
    reference, byte for byte.
    """
    heads = invoices_to_keep(invoice_ids)
    currencies = {h["id"]: h["currency"] for h in heads}
    rows, vat = row_answers(currencies), vat_line_answers(currencies)
    lines, matches = posting_line_answers(currencies), match_answers(currencies)
    documents = {}
    for head in heads:
        pk, match = head["id"], matches[head["id"]]
        documents[pk] = ExportedDocument(
            invoice_id=pk,
            export_count=head["export_count"],
            order_modified_at=match.order_modified_at,
            rows=_dumps(rows.get(pk, [])),
            vat_breakdown=_dumps(vat.get(pk, [])),
            posting_lines=_dumps(lines.get(pk, [])),
            purchase_order_match=_dumps(match.answer),
        )
    return documents


def page_json(
    page: FeedPage[Invoice], stored: dict[UUID, ExportedDocument], *, base_url: str
) -> str:
    """The page (``ExportedPage``) as JSON text; ``stored`` holds each invoice's parts."""
    ids = [invoice.id for invoice in page.items]
    attachments = _attachments(ids, base_url)
    chains = _chains(ids)
    texts = StoredJson()
    items = []
    for invoice, cursor in zip(page.items, page.cursors, strict=True):
        parts = stored[invoice.id]
        booking = None
        if invoice.status == Invoice.Status.BOOKED:
            booking = {
                "document_id": invoice.booking_document_id,
                "booking_date": optional_text(invoice.booking_date),
                "booked_at": optional_moment_text(invoice.booked_at),
            }
        items.append(
            {
                "document_id": invoice.export_document_id,
                "cursor": cursor,
                "company_code": company_code(invoice.company),
                "exported_at": moment_text(invoice.exported_at),
                "export_count": invoice.export_count,
                "reexport": invoice.export_count > 1,
                "status": invoice.status,
                "sync_failed": invoice.sync_failed,
                "sync_error_message": invoice.sync_error_message,
                "booking": booking,
                "invoice": invoice_answer(
                    invoice,
                    rows=texts.mark(parts.rows),
                    vat_breakdown=texts.mark(parts.vat_breakdown),
                ),
                "posting_lines": texts.mark(parts.posting_lines),
                "attachments": attachments.get(invoice.id, []),
                "approval_chain": chains.get(invoice.id, []),
                "purchase_order_match": texts.mark(parts.purchase_order_match),
            }
        )
    return texts.dumps({"items": items, "next": page.next, "cursor": page.cursor})


def _dumps(value: object) -> str:
    return json.dumps(value, cls=PreciseJSONEncoder)


def _attachments(ids: list[UUID], base_url: str) -> dict[UUID, list[dict]]:
    """Each invoice's attachments as ``AttachmentLinkOut``, oldest first."""
    found: dict[UUID, list[dict]] = defaultdict(list)
    base = base_url.rstrip("/")
    # Reversed once a page: the ids (UUIDs) then take the stand-ins' places as they are.
    path = reverse("api:download", kwargs={"ref": "INVOICE", "attachment_id": "ATTACHMENT"})
    for a in attachments_of(ids):
        download = None
        if a["kind"] == Attachment.Kind.FILE:
            ref, attachment = str(a["invoice_id"]), str(a["id"])
            download = base + path.replace("INVOICE", ref).replace("ATTACHMENT", attachment)
        found[a["invoice_id"]].append(
            {
                "id": str(a["id"]),
                "kind": a["kind"],
                "filename": a["filename"],
                "content_type": a["content_type"],
                "size": a["size"],
                "sha256": a["sha256"],
                "is_original": a["is_original"],
                "url": a["url"] or None,
                "download_url": download,
            }
        )
    return found


def _chains(ids: list[UUID]) -> dict[UUID, list[dict]]:
    """Each invoice's approval steps as ``ApprovalStepOut``, every round, oldest first."""
    found: dict[UUID, list[dict]] = defaultdict(list)
    for s in chains_of(ids):
        found[s["invoice_id"]].append(
            {
                "id": str(s["id"]),
                "round": s["round"],
                "position": s["position"],
                "level": s["level"],
                "level_name": LEVEL_NAMES[s["level"]],
                "approver": {
                    "id": str(s["approver_id"]),
                    "code": s["approver__code"],
                    "name": s["approver__name"],
                    "email": s["approver__email"],
                },
                "status": s["status"],
                "is_current": s["is_current"],
                "comment": s["comment"],
                "acted_at": optional_moment_text(s["acted_at"]),
                "acted_by": s["acted_by"],
            }
        )
    return found
