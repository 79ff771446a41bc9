"""The exported feed's page as JSON text, from stored parts and plain values.

Most of an exported document no longer changes: the invoice's header, rows and VAT
breakdown, its posting lines and its purchase-order match are written as JSON text at
export (``ExportedDocument``) and put into the page as they are. The header is kept as
runs of members between those that may still change (``MUTABLE``: status, booking, sync
failure, payments, review flags, metadata, the supplier, the home currency), which the
page reads with its
invoices, with the approval chains and attachments, and writes in between. Where the
parts are missing (exported before they were kept, until ``payables
keep-exported-documents`` ran) or stale, the page builds them the same way
(``build_documents``) and writes nothing. The page is the answer
``ExportedDocumentOut.from_invoice`` builds object by object, written without validating
it again; the tests compare the two byte for byte.
"""

from __future__ import annotations

import hashlib
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
from payables.invoices.schemas import InvoiceOut
from payables.invoices.schemas.details import invoice_answer, review_finding_answer
from payables.invoices.schemas.summaries import row_answers, vat_line_answers
from payables.json_encoding import (
    PreciseJSONEncoder,
    StoredJson,
    moment_text,
    optional_moment_text,
    optional_text,
)
from payables.money import format_amount
from payables.orders.match_schemas import match_answers
from payables.tenancy.models import Company
from payables.tenancy.queries import company_code

LEVEL_NAMES = dict(Level.choices)

# The invoice's members (``InvoiceOut``) that may change after export, read with each page.
# The home amounts are the invoice's, but written at the scale of the company's home
# currency, which may change.
MUTABLE = frozenset(
    {
        "supplier", "status", "home_currency", "home_net_amount", "home_vat_amount",
        "home_gross_amount", "prepaid_amount", "paid_amount", "amount_due", "exported_at",
        "export_count", "booked_at", "booking_document_id", "booking_date", "sync_failed",
        "sync_error_message", "needs_review", "review_findings", "po_match_status",
        "metadata", "modified_at",
    }
)  # fmt: skip

# Between the stored runs: ``json.dumps`` escapes every control character, so no JSON
# text holds one.
RUN_BREAK = "\x1f"


def _layout() -> tuple[list[str | int], list[tuple[str, ...]]]:
    """``InvoiceOut``'s members in order, each run of unchanging ones as its number; and
    the runs' members."""
    steps: list[str | int] = []
    runs: list[tuple[str, ...]] = []
    for name in InvoiceOut.model_fields:
        if name in MUTABLE:
            steps.append(name)
        elif steps and isinstance(steps[-1], int):
            runs[-1] += (name,)
        else:
            steps.append(len(runs))
            runs.append((name,))
    return steps, runs


STEPS, RUNS = _layout()
# How stored documents are cut: it changes with ``InvoiceOut``'s members and ``MUTABLE``,
# and a document stored in another layout is stale (the page builds it, the backfill
# writes it again).
LAYOUT = hashlib.sha256(repr((STEPS, RUNS)).encode()).hexdigest()[:16]


def head_runs(answer: dict, texts: StoredJson) -> str:
    """The invoice's answer's unchanging members as stored (``ExportedDocument.head``):
    each run's members as JSON text without braces, runs separated by ``RUN_BREAK``;
    ``texts`` holds the stored texts marked in ``answer``."""
    return RUN_BREAK.join(texts.dumps({n: answer[n] for n in run})[1:-1] for run in RUNS)


def has_current_parts(row: dict) -> bool:
    """Whether the page row's stored parts (``queries.PAGE_FIELDS``) are those of its
    latest export, order and layout."""
    return is_current(
        row["exported_document__export_count"],
        row["exported_document__order_modified_at"],
        row["exported_document__layout"],
        export_count=row["export_count"],
        order_modified_at=row["order_modified_at"],
    )


def is_current(
    stored_export_count: int | None,
    stored_order_modified_at: datetime | None,
    stored_layout: str | None,
    *,
    export_count: int,
    order_modified_at: datetime | None,
) -> bool:
    """Whether stored parts (None: none stored) are those of the invoice's latest export,
    of its matched order as it is now, and in this layout."""
    return (
        stored_export_count == export_count
        and stored_order_modified_at == order_modified_at
        and stored_layout == LAYOUT
    )


def build_documents(invoice_ids: Collection[UUID]) -> dict[UUID, ExportedDocument]:
    """The stored parts of exported invoices as they are now, by invoice, unsaved.

    Built from the invoices and a few queries for all of them (``row_answers`` and its
    siblings); the schemas' answers (``ExportedDocumentOut.from_invoice``) are the
    reference, byte for byte.
    """
    invoices = invoices_to_keep(invoice_ids)
    currencies = {i.id: i.currency for i in invoices}
    rows, vat = row_answers(currencies), vat_line_answers(currencies)
    lines, matches = posting_line_answers(currencies), match_answers(currencies)
    documents, texts = {}, StoredJson()  # one for all: each makes its own pattern
    for invoice in invoices:
        pk, match = invoice.id, matches[invoice.id]
        answer = invoice_answer(
            invoice,
            rows=texts.mark(_dumps(rows.get(pk, []))),
            vat_breakdown=texts.mark(_dumps(vat.get(pk, []))),
        )
        documents[pk] = ExportedDocument(
            invoice_id=pk,
            export_count=invoice.export_count,
            order_modified_at=match.order_modified_at,
            layout=LAYOUT,
            head=head_runs(answer, texts),
            posting_lines=_dumps(lines.get(pk, [])),
            purchase_order_match=_dumps(match.answer),
        )
    return documents


def page_json(page: FeedPage[dict], companies: dict[UUID, Company], *, base_url: str) -> str:
    """The page (``ExportedPage``) of rows read by ``queries.exported_after`` as JSON text;
    ``companies`` by id are the key's."""
    ids = [row["id"] for row in page.items]
    stored = {
        row["id"]: (
            row["exported_document__head"],
            row["exported_document__posting_lines"],
            row["exported_document__purchase_order_match"],
        )
        for row in page.items
        if has_current_parts(row)
    }
    if missing := [pk for pk in ids if pk not in stored]:
        # Exported before the parts were kept (until `payables keep-exported-documents`
        # ran), or their order changed since: built for this page only. A read never
        # writes: it may run on a replica.
        for pk, d in build_documents(missing).items():
            stored[pk] = (d.head, d.posting_lines, d.purchase_order_match)
    attachments = _attachments(ids, base_url)
    chains = _chains(ids)
    texts = StoredJson()
    items = []
    for row, cursor in zip(page.items, page.cursors, strict=True):
        head, posting_lines, match = stored[row["id"]]
        booking = None
        if row["status"] == Invoice.Status.BOOKED:
            booking = {
                "document_id": row["booking_document_id"],
                "booking_date": optional_text(row["booking_date"]),
                "booked_at": optional_moment_text(row["booked_at"]),
            }
        company = companies[row["company_id"]]
        changing = _changing_members(row, company.home_currency)
        runs = [texts.mark(run) for run in head.split(RUN_BREAK)]
        invoice = {
            (runs[step] if isinstance(step, int) else step): (
                None if isinstance(step, int) else changing[step]
            )
            for step in STEPS
        }
        items.append(
            {
                "document_id": f"{row['id']}/{row['export_count']}",
                "cursor": cursor,
                "company_code": company_code(company),
                "exported_at": changing["exported_at"],
                "export_count": row["export_count"],
                "reexport": row["export_count"] > 1,
                "status": row["status"],
                "sync_failed": row["sync_failed"],
                "sync_error_message": row["sync_error_message"],
                "booking": booking,
                "invoice": invoice,
                "posting_lines": texts.mark(posting_lines),
                "attachments": attachments.get(row["id"], []),
                "approval_chain": chains.get(row["id"], []),
                "purchase_order_match": texts.mark(match),
            }
        )
    return texts.dumps({"items": items, "next": page.next, "cursor": page.cursor})


def _changing_members(row: dict, home: str) -> dict:
    """The invoice's ``MUTABLE`` members as ``invoice_answer`` writes them, from the row
    and the company's home currency."""
    cur = row["currency"]
    prepaid, paid = row["prepaid_amount"], row["paid_amount"]
    return {
        "supplier": {
            "id": str(row["supplier_id"]),
            "name": row["supplier__name"],
            "registry_code": row["supplier__registry_code"],
            "vat_number": row["supplier__vat_number"],
            "country": row["supplier__country"],
        },
        "status": row["status"],
        "home_currency": home,
        "home_net_amount": format_amount(row["home_net_amount"], home),
        "home_vat_amount": format_amount(row["home_vat_amount"], home),
        "home_gross_amount": format_amount(row["home_gross_amount"], home),
        "prepaid_amount": format_amount(prepaid, cur),
        "paid_amount": format_amount(paid, cur),
        "amount_due": format_amount(row["gross_amount"] - prepaid - paid, cur),
        "exported_at": optional_moment_text(row["exported_at"]),
        "export_count": row["export_count"],
        "booked_at": optional_moment_text(row["booked_at"]),
        "booking_document_id": row["booking_document_id"],
        "booking_date": optional_text(row["booking_date"]),
        "sync_failed": row["sync_failed"],
        "sync_error_message": row["sync_error_message"],
        "needs_review": row["needs_review"],
        "review_findings": [review_finding_answer(f) for f in row["review_findings"] or []],
        "po_match_status": row["po_match_status"],
        "metadata": row["metadata"] or {},
        "modified_at": moment_text(row["modified_at"]),
    }


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
