"""The exported feed written from stored parts answers what the schemas build, byte for byte.

The reference is the page built object by object with ``ExportedDocumentOut.from_invoice``
(as the feed answered before it kept its documents) and written as Ninja writes it; the
invoices vary in what a document shows, and change after export where they still can.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payables.coding.models import PostingLine
from payables.conftest import ApiClient
from payables.events.feeds import read_feed
from payables.handoff.feed_page import LAYOUT, MUTABLE, RUN_BREAK, RUNS
from payables.handoff.models import ExportedDocument
from payables.handoff.queries import EXPORTED, exported_documents
from payables.handoff.schemas import ExportedDocumentOut, ExportedPage
from payables.handoff.services import export_invoice
from payables.invoices.models import Invoice
from payables.invoices.queries import get_invoice
from payables.invoices.schemas import InvoiceOut
from payables.invoices.services.review import flag_for_review
from payables.invoices.tests.master_data import MasterData
from payables.json_encoding import PreciseJSONEncoder
from payables.masterdata.models import Supplier
from payables.orders.models import PurchaseOrder
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company
from payables.tenancy.services import update_company

PDF = "JVBERi0xLjQK"


def _reference(company: Company, cursor: str | None = None, limit: int = 100) -> str:
    """The page as the schemas build it, written as Ninja writes a validated answer."""
    page = read_feed(EXPORTED, exported_documents([company]), cursor, limit=limit)
    items = [
        ExportedDocumentOut.from_invoice(invoice, cursor=at, base_url=settings.BASE_URL)
        for invoice, at in zip(page.items, page.cursors, strict=True)
    ]
    answer = ExportedPage(items=items, next=page.next, cursor=page.cursor)
    return json.dumps(answer.model_dump(), cls=PreciseJSONEncoder)


def _page(api: ApiClient, cursor: str | None = None, limit: int = 100) -> str:
    params: dict[str, Any] = {"limit": limit} | ({"from": cursor} if cursor else {})
    answer = api.get("/feeds/exported", params)
    assert answer.status_code == 200, answer.content
    return answer.content.decode()


def _rows(*rows: tuple[str, str, str]) -> dict:
    """Rows (description, net, VAT rate) with their VAT breakdown and totals."""
    body: list[dict] = []
    breakdown: dict[str, list[float]] = {}
    for description, net, rate in rows:
        vat = round(float(net) * float(rate) / 100, 2)
        body.append(
            {
                "description": description,
                "net_amount": net,
                "vat_rate": rate,
                "vat_amount": f"{vat:.2f}",
            }
        )
        line = breakdown.setdefault(rate, [0.0, 0.0])
        line[0] += float(net)
        line[1] += vat
    net_total = sum(v[0] for v in breakdown.values())
    vat_total = sum(v[1] for v in breakdown.values())
    return {
        "rows": body,
        "vat_breakdown": [
            {"vat_rate": rate, "base_amount": f"{v[0]:.2f}", "vat_amount": f"{v[1]:.2f}"}
            for rate, v in breakdown.items()
        ],
        "net_amount": f"{net_total:.2f}",
        "vat_amount": f"{vat_total:.2f}",
        "gross_amount": f"{net_total + vat_total:.2f}",
    }


@pytest.fixture
def books(api: ApiClient) -> MasterData:
    data = MasterData(api)
    data.account("4000")
    data.account("6000")
    data.vat_code("VAT24", "24")
    data.vat_code("VAT24HALF", "24", non_deductible_share="50")
    data.vat_code("VAT9", "9")
    data.dimension("department", "IT")
    return data


@pytest.fixture
def varied(
    api: ApiClient,
    books: MasterData,
    make_approved: Callable[..., Invoice],
    make_invoice: Callable[..., Invoice],
    supplier: Supplier,
    actor: Actor,
) -> dict[str, Invoice]:
    """Exported invoices that differ in what their documents show."""
    fuel = _rows(("Fuel", "100.00", "24"))
    fuel["rows"][0] |= {"account_code": "4000", "vat_code": "VAT24HALF"}
    fuel["vat_breakdown"][0]["vat_code"] = "VAT24HALF"
    paper = _rows(("Paper", "100.00", "24"))
    paper["rows"][0] |= {"quantity": "10", "unit_price": "10.00"}
    over = _rows(("Paper", "60.00", "24"))
    over["rows"][0] |= {"quantity": "5", "unit_price": "12.00"}
    credit = _rows(("Refund", "-40.00", "24"), ("Fee", "-10.00", "9"))
    # Before the order: no invoice bills it as the supplier's only open order.
    made = {
        "plain": make_approved(),
        "credit_note": make_approved(type="credit_note", **credit),
        "proportional_vat": make_approved(**fuel),
        "foreign_currency": make_approved(currency="USD", currency_rate="0.9"),
        "five_rows": make_approved(
            **_rows(*((f"Item {n}", f"{10 * n}.00", ("24", "9", "0")[n % 3]) for n in range(1, 6)))
        ),
    }
    order = api.post(
        "/purchase-orders",
        {
            "number": "PO-7",
            "supplier_id": str(supplier.id),
            "order_date": "2026-11-01",
            "currency": "EUR",
            "lines": [
                {"line_id": "1", "description": "Paper", "quantity": "10", "unit_price": "10.00"}
            ],
        },
    )
    assert order.status_code == 201, order.content
    made["po_match"] = make_approved(order_number="PO-7", **paper)
    # Billed beyond the order, at another price: a discrepancy, line by line.
    made["discrepancy"] = make_approved(order_number="PO-7", **over)
    prebooked = api.post(
        "/invoices",
        {
            "supplier_id": str(supplier.id),
            "invoice_number": "PRE-1",
            **_rows(("Mixed", "200.00", "24")),
        }
        | {"invoice_date": "2026-11-02", "currency": "EUR"},
    )
    assert prebooked.status_code == 201, prebooked.content
    split = api.put(
        f"/invoices/{prebooked.json()['id']}/prebooking",
        {
            "splits": [
                {
                    "percent": "75",
                    "account_code": "4000",
                    "vat_code": "VAT24",
                    "dimensions": {"department": "IT"},
                },
                {"percent": "25", "account_code": "6000", "vat_code": "VAT24"},
            ]
        },
    )
    assert split.status_code == 200, split.content
    made["prebooked"] = _approve(Invoice.objects.get(pk=prebooked.json()["id"]), make_approved)
    unmatched = make_invoice(order_number="PO-7", **_rows(("Paper", "10.00", "24")))
    said = api.delete(f"/invoices/{unmatched.id}/purchase-order-match")
    assert said.status_code == 200 and said.json()["manual"], said.content
    made["unmatched"] = _approve(unmatched, make_approved)
    plain = made["plain"]
    api.post(f"/invoices/{plain.id}/attachments", {"filename": "scan.pdf", "content_base64": PDF})
    api.post(f"/invoices/{plain.id}/attachments", {"url": "https://example.com/a.pdf"})
    for invoice in made.values():
        export_invoice(invoice, actor=actor)
    return made


def _approve(invoice: Invoice, make_approved: Callable[..., Invoice]) -> Invoice:
    """Approve an invoice made elsewhere as ``make_approved`` approves its own."""
    from payables.approvals.services import ApproverRequest, append_approvers, approve_step
    from payables.tenancy.models import CompanyUser

    approver = CompanyUser.objects.get(company=invoice.company, code="APPR")
    append_approvers(
        invoice, [ApproverRequest(user=str(approver.id))], actor=Actor.system(invoice.company, "t")
    )
    approve_step(invoice.approval_steps.get(is_current=True), actor=Actor.for_user(approver))
    invoice.refresh_from_db()
    return invoice


def test_the_page_is_the_schema_built_page(api, varied, company):
    assert ExportedDocument.objects.count() == len(varied)
    page = _page(api)
    assert page == _reference(company)
    documents = {d["invoice"]["id"]: d for d in json.loads(page)["items"]}
    matches = {
        name: documents[str(invoice.id)]["purchase_order_match"] for name, invoice in varied.items()
    }
    assert matches["po_match"]["status"] == "matched"
    assert matches["po_match"]["lines"][0]["order_lines"][0]["description"] == "Paper"
    assert matches["discrepancy"]["status"] == "discrepancy"
    assert matches["discrepancy"]["lines"][0]["reasons"]
    assert matches["unmatched"]["status"] == "no_po" and matches["unmatched"]["manual"]
    assert matches["plain"]["status"] == "no_po" and matches["plain"]["matched_at"] is None
    fuel = documents[str(varied["proportional_vat"].id)]["posting_lines"]
    assert fuel[0]["non_deductible_vat_amount"] == "12.00"
    assert fuel[0]["vat_code"] == "VAT24HALF"
    split = documents[str(varied["prebooked"].id)]["posting_lines"]
    assert split[0]["dimensions"] == {"department": "IT"} and split[0]["source"] == "prebooking"


def test_pages_from_a_cursor_are_the_schema_built_pages(api, varied, company):
    first = json.loads(_page(api, limit=3))
    assert _page(api, first["next"], limit=3) == _reference(company, first["next"], limit=3)


def test_what_changes_after_export_shows_as_the_schemas_show_it(api, varied, company, actor):
    plain, booked, failed = varied["plain"], varied["credit_note"], varied["five_rows"]
    assert (
        api.post(
            f"/invoices/{plain.id}/payments", {"amount": "10.00", "payment_date": "2026-11-20"}
        ).status_code
        == 201
    )
    api.post(f"/invoices/{plain.id}/attachments", {"filename": "late.pdf", "content_base64": PDF})
    api.post(f"/invoices/{booked.id}/booked", {"document_id": "GL-1", "booking_date": "2026-11-21"})
    api.post("/sync-errors", {"document_id": f"{failed.id}/1", "message": "No such account"})
    supplier = plain.supplier
    assert api.patch(f"/suppliers/{supplier.id}", {"name": "Renamed AS"}).status_code == 200
    approver = plain.approval_steps.get().approver
    assert api.patch(f"/users/{approver.id}", {"name": "Renamed Approver"}).status_code == 200
    flagged = flag_for_review(
        varied["po_match"],
        actor=actor,
        findings=[{"rule_id": "X-1", "severity": "error", "message": "Looked wrong"}],
    )
    assert flagged.needs_review
    export_invoice(varied["proportional_vat"], actor=actor)  # a re-export, at the end
    page = _page(api)
    assert page == _reference(company)
    assert "Renamed AS" in page and "Renamed Approver" in page and "late.pdf" in page
    assert "Looked wrong" in page and '"status": "booked"' in page


def test_the_kept_header_leaves_out_every_member_that_may_change():
    """Each member of the invoice's answer is kept in the header or read with the page:
    ``MUTABLE`` names members, and the header's runs hold every other member, in order."""
    members = list(InvoiceOut.model_fields)
    assert set(MUTABLE) < set(members)
    assert [m for run in RUNS for m in run] == [m for m in members if m not in MUTABLE]
    assert {"status", "paid_amount", "amount_due", "booked_at", "supplier"} <= MUTABLE


def test_a_new_home_currency_shows_in_documents_exported_before(api, varied, company):
    """The home amounts are written at the scale of the company's home currency."""
    update_company(company, {"home_currency": "JPY"})
    page = _page(api)
    assert page == _reference(company)
    assert '"home_currency": "JPY"' in page and '"home_currency": "EUR"' not in page


def test_a_header_holding_the_run_break_is_kept_as_text(api, varied, company, actor):
    """The runs are cut at a control character, which JSON text always escapes."""
    invoice = varied["plain"]
    Invoice.objects.filter(pk=invoice.pk).update(payment_terms=f"Net{RUN_BREAK}30")
    export_invoice(invoice, actor=actor)
    assert RUN_BREAK not in ExportedDocument.objects.get(invoice=invoice).head.replace(
        RUN_BREAK, "", len(RUNS) - 1
    )
    page = _page(api)
    assert page == _reference(company)
    assert json.loads(page)["items"][-1]["invoice"]["payment_terms"] == f"Net{RUN_BREAK}30"


def test_documents_of_an_older_layout_are_built_for_the_page_then_written_again(
    api, varied, company
):
    kept = ExportedDocument.objects.all()
    assert kept.update(layout="", head="") == len(varied)
    with CaptureQueriesContext(connection) as captured:
        page = _page(api)
    assert page == _reference(company)
    assert [q["sql"] for q in captured.captured_queries if _writes(q["sql"])] == []
    out = StringIO()
    call_command("keep-exported-documents", stdout=out)
    assert f"wrote the documents of {len(varied)} exported invoices" in out.getvalue()
    assert set(kept.values_list("layout", flat=True)) == {LAYOUT}
    assert _page(api) == page


def test_an_order_changed_after_export_shows_in_the_match(api, varied, company):
    order = api.get("/purchase-orders/by-number/PO-7").json()
    changed = api.patch(
        f"/purchase-orders/{order['id']}",
        {
            "lines": [
                {
                    "line_id": "1",
                    "description": "Paper, recycled",
                    "quantity": "30",
                    "unit_price": "10.00",
                }
            ]
        },
    )
    assert changed.status_code == 200, changed.content
    # The order's change wrote the matched invoices' documents again.
    kept = ExportedDocument.objects.get(invoice=varied["discrepancy"])
    assert "Paper, recycled" in kept.purchase_order_match
    assert kept.order_modified_at == PurchaseOrder.objects.get(pk=order["id"]).modified_at
    page = _page(api)
    assert "Paper, recycled" in page
    assert page == _reference(company)


@pytest.mark.parametrize(
    ("action", "body"),
    [("close", {"reason": "done"}), ("receipts", {"lines": [{"line_id": "1", "quantity": "4"}]})],
)
def test_every_change_of_a_matched_order_writes_its_documents_again(
    api, varied, company, action, body
):
    order = api.get("/purchase-orders/by-number/PO-7").json()
    before = ExportedDocument.objects.get(invoice=varied["po_match"]).order_modified_at
    assert api.post(f"/purchase-orders/{order['id']}/{action}", body).status_code in (200, 201)
    modified_at = PurchaseOrder.objects.get(pk=order["id"]).modified_at
    assert modified_at != before
    kept = ExportedDocument.objects.filter(invoice__po_match__order_id=order["id"])
    assert {d.order_modified_at for d in kept} == {modified_at}
    assert _page(api) == _reference(company)


def test_the_feed_builds_missing_parts_for_its_page_and_writes_nothing(api, varied, company):
    """Invoices exported before the parts were kept: the feed answers them, read-only (it
    may be served from a replica), until the backfill writes them."""
    ExportedDocument.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        page = _page(api)
    assert page == _reference(company)
    assert ExportedDocument.objects.count() == 0
    assert [q["sql"] for q in captured.captured_queries if _writes(q["sql"])] == []
    call_command("keep-exported-documents", stdout=StringIO())
    assert ExportedDocument.objects.count() == len(varied)
    assert _page(api) == page


def test_the_feed_builds_stale_parts_for_its_page(api, varied, company):
    """Parts kept before their order changed (a change the hand-off did not hear of)."""
    changed = api.patch(
        f"/purchase-orders/{api.get('/purchase-orders/by-number/PO-7').json()['id']}",
        {"lines": [{"line_id": "1", "description": "Card", "quantity": "30", "unit_price": "10"}]},
    )
    assert changed.status_code == 200, changed.content
    matched = ExportedDocument.objects.filter(invoice__po_match__order__isnull=False)
    assert matched.update(order_modified_at=None, purchase_order_match="{}") == 2
    page = _page(api)
    assert page == _reference(company)
    assert matched.filter(purchase_order_match="{}").count() == 2


def test_posting_lines_not_stored_are_derived_as_the_schemas_derive_them(api, varied, company):
    """An invoice older than posting lines has none stored: its rows say them."""
    five_rows = varied["five_rows"]
    PostingLine.objects.filter(invoice=five_rows).delete()
    ExportedDocument.objects.filter(invoice=five_rows).delete()
    page = _page(api)
    assert page == _reference(company)
    documents = {d["invoice"]["id"]: d for d in json.loads(page)["items"]}
    assert len(documents[str(five_rows.id)]["posting_lines"]) == 5


def _writes(sql: str) -> bool:
    first = sql.lstrip().split(" ", 1)[0].upper()
    return first in {"INSERT", "UPDATE", "DELETE"} or "FOR UPDATE" in sql.upper()


def test_the_invoice_answer_is_the_schema_built_one(api, varied, company):
    for invoice in varied.values():
        built = InvoiceOut.from_invoice(get_invoice(company, str(invoice.id)))
        answer = api.get(f"/invoices/{invoice.internal_id}")
        assert answer.status_code == 200
        assert answer.content.decode() == json.dumps(built.model_dump(), cls=PreciseJSONEncoder)
