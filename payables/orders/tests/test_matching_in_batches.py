"""Matching the invoices of a batch upsert, whose new invoices are stored together: each is
matched after the ones before it, and one approved at once and exported on approval is
exported with its posting lines (stored before the export reads them), as when it arrives
alone."""

from __future__ import annotations

from payables.coding.queries import posting_lines_payload
from payables.coding.services.rules import create_rule
from payables.events.models import Event
from payables.handoff.models import ExportedDocument
from payables.invoices.models import Invoice
from payables.invoices.services import upsert_invoices
from payables.orders.tests.matching_cases import invoice_body, row
from payables.tenancy.actors import Actor
from payables.tenancy.services import update_company

PO = "PO-2026-001"


def _item(supplier: object, number: str, boxes: str) -> dict:
    paper = row("Paper A4, box of 5 reams", boxes, "12.50")
    return invoice_body(supplier, number, [paper], order_number=PO) | {
        "source_system": "erp",
        "source_invoice_id": number,
    }


def test_a_batch_approves_and_exports_a_match_with_its_posting_lines(make_order, supplier, company):
    company = update_company(
        company, {"auto_approve_matched": True, "auto_export_on_approval": True}
    )
    actor = Actor.system(company, "test")
    # A rule codes the rows: the posting lines stored say so (derived anew they would not).
    create_rule(
        {"name": "Paper", "conditions": {}, "actions": {"account_code": "4000"}}, actor=actor
    )
    make_order()  # 10 boxes
    # The second comes after the first has invoiced 4 of the 10 boxes: 7 more is too many.
    items = [_item(supplier, "INV-1", "4"), _item(supplier, "INV-2", "7")]
    report = upsert_invoices(items, actor=actor, import_policy="preserve_if_unique_else_fallback")
    assert [r.outcome for r in report.results] == ["imported", "imported"]

    first, second = (Invoice.objects.get(invoice_number=n) for n in ("INV-1", "INV-2"))
    assert (first.status, first.po_match_status) == ("exported", "matched")
    assert (second.status, second.po_match_status) == ("new", "discrepancy")
    lines = posting_lines_payload(first)
    assert lines and lines[0]["account_code"] == "4000"
    exported = Event.objects.get(type="invoice.exported", subject_id=first.id)
    assert exported.payload["posting_lines"] == lines
    assert '"account_code": "4000"' in ExportedDocument.objects.get(invoice=first).posting_lines
    events = Event.objects.filter(subject_id=first.id).order_by("sequence")
    types = list(events.values_list("type", flat=True))
    assert types == ["invoice.created", "invoice.matched", "invoice.approved", "invoice.exported"]
