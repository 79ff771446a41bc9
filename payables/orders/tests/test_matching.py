"""Invoices matched to purchase orders at line level: exact, partial, over-invoiced, priced
differently, credited, and the tolerances that decide."""

from __future__ import annotations

from payables.conftest import ApiClient
from payables.events.models import Event
from payables.invoices.models import AuditEntry
from payables.orders.tests.matching_cases import (
    invoice_body,
    match_of,
    order_lines,
    post_invoice,
    row,
)
from payables.tenancy.services import update_company

PO = "PO-2026-001"


def _paper(quantity: str, price: str = "12.50", **codes: str) -> dict:
    return row("Paper A4, box of 5 reams", quantity, price, **codes)


def _delivery(net: str = "20.00") -> dict:
    return row("Delivery", "1", net, rate="9")


def test_an_invoice_billing_the_order_exactly_is_matched(api: ApiClient, make_order, supplier):
    order = make_order()
    body = invoice_body(supplier, "INV-1", [_paper("10"), _delivery()], order_number=PO)
    invoice = post_invoice(api, body)

    assert invoice["po_match_status"] == "matched"
    match = match_of(api, invoice)
    assert (match["status"], match["purchase_order_number"], match["found_by"]) == (
        "matched",
        PO,
        "order_number",
    )
    assert match["expected_net_amount"] == match["invoice_net_amount"] == "145.00"
    assert [(x["row"], x["status"], x["found_by"]) for x in match["lines"]] == [
        (1, "matched", "description"),
        (2, "matched", "description"),
    ]
    assert match["lines"][0]["order_lines"] == [
        {"line_id": "1", "description": "Paper A4, box of 5 reams", "quantity": "10"}
    ]
    assert match["reasons"] == [] and not match["counted"]
    # What an unapproved invoice bills is held, not yet invoiced.
    assert order_lines(api, order)["1"] == ("0", "0")
    event = Event.objects.get(type="invoice.matched")
    assert event.payload["purchase_order_number"] == PO
    assert event.payload["match_status"] == "matched"
    listed = api.get("/invoices", {"po_match_status": "matched"}).json()
    assert [x["id"] for x in listed["items"]] == [invoice["id"]]


def test_lines_are_found_by_reference_code_gtin_and_amount(api: ApiClient, make_order, supplier):
    make_order()
    rows = [
        row("Something else entirely", "1", "20.00", rate="9", order_line_reference="2"),
        row("Reams", "4", "12.50", item_code="A4-500"),  # the seller's code
        row("Copy paper", "3", "12.50", gtin="4006381333931"),
        row("Paper again", "3", "12.50", product_code="PAPER-A4"),  # the company's item
    ]
    invoice = post_invoice(api, invoice_body(supplier, "INV-2", rows, order_number=PO))
    match = match_of(api, invoice)
    assert [(x["found_by"], x["status"]) for x in match["lines"]] == [
        ("line_id", "matched"),
        ("item_code", "matched"),
        ("item_code", "matched"),
        ("item_code", "matched"),
    ]
    assert match["status"] == "matched"


def test_the_supplier_s_only_open_order_is_found_without_a_reference(
    api: ApiClient, make_order, supplier
):
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-3", [_paper("10"), _delivery()]))
    assert match_of(api, invoice)["found_by"] == "supplier"
    assert invoice["po_match_status"] == "matched"


def test_with_two_open_orders_and_no_reference_nothing_is_guessed(
    api: ApiClient, make_order, supplier
):
    make_order()
    make_order(number="PO-2026-002")
    invoice = post_invoice(api, invoice_body(supplier, "INV-4", [_paper("10"), _delivery()]))
    assert invoice["po_match_status"] == "no_po"
    assert match_of(api, invoice)["lines"] == []


def test_partial_delivery_then_a_second_invoice(api: ApiClient, make_order, supplier):
    order = make_order()
    first = post_invoice(api, invoice_body(supplier, "INV-5", [_paper("6")], order_number=PO))
    second = post_invoice(
        api, invoice_body(supplier, "INV-6", [_paper("4"), _delivery()], order_number=PO)
    )
    assert (first["po_match_status"], second["po_match_status"]) == ("matched", "matched")
    third = post_invoice(api, invoice_body(supplier, "INV-7", [_paper("1")], order_number=PO))
    assert third["po_match_status"] == "discrepancy"
    line = match_of(api, third)["lines"][0]
    assert (line["status"], line["quantity_over"]) == ("over_invoiced", "1")
    assert "1 more than is still open" in line["reasons"][0]["message"]
    assert order_lines(api, order)["status"] == "open"  # nothing approved yet


def test_over_invoicing_within_the_quantity_tolerance(api: ApiClient, make_order, supplier):
    make_order()
    tolerance = {"quantity_percent": "10"}
    assert api.put("/match-tolerances/company", tolerance).status_code == 200
    within = post_invoice(api, invoice_body(supplier, "INV-8", [_paper("11")], order_number=PO))
    assert within["po_match_status"] == "within_tolerance"
    assert match_of(api, within)["lines"][0]["quantity_over"] == "1"


def test_over_invoicing_beyond_the_tolerance_is_a_discrepancy(api: ApiClient, make_order, supplier):
    make_order()
    api.put("/match-tolerances/company", {"quantity_percent": "10"})
    over = post_invoice(api, invoice_body(supplier, "INV-9", [_paper("12")], order_number=PO))
    assert over["po_match_status"] == "discrepancy"
    match = match_of(api, over)
    assert match["lines"][0]["status"] == "over_invoiced"
    event = Event.objects.get(type="invoice.match_discrepancy")
    assert event.payload["reasons"][0]["code"] == "over_invoiced"
    trail = AuditEntry.objects.get(action="po_matched")
    assert trail.comment.startswith(f"PO {PO}: discrepancy: Row 1 bills 12")


def test_a_price_within_and_beyond_the_tolerance(api: ApiClient, make_order, supplier):
    make_order()
    api.put("/match-tolerances/company", {"price_percent": "1", "total_amount": None})
    near = post_invoice(
        api, invoice_body(supplier, "INV-10", [_paper("2", "12.60")], order_number=PO)
    )
    assert near["po_match_status"] == "within_tolerance"
    line = match_of(api, near)["lines"][0]
    assert (line["status"], line["price_variance"]) == ("matched", "0.1")

    far = post_invoice(
        api, invoice_body(supplier, "INV-11", [_paper("2", "13.00")], order_number=PO)
    )
    assert far["po_match_status"] == "discrepancy"
    line = match_of(api, far)["lines"][0]
    assert (line["status"], line["order_unit_price"]) == ("price_variance", "12.5")


def test_a_supplier_s_own_tolerance_replaces_the_company_s(api: ApiClient, make_order, supplier):
    make_order()
    api.put("/match-tolerances/company", {"price_percent": "1", "total_amount": None})
    mine = {"price_percent": "5", "total_amount": None}
    assert api.put(f"/match-tolerances/suppliers/{supplier.id}", mine).status_code == 200
    invoice = post_invoice(
        api, invoice_body(supplier, "INV-12", [_paper("2", "13.00")], order_number=PO)
    )
    assert invoice["po_match_status"] == "within_tolerance"
    listed = api.get("/match-tolerances").json()
    assert {x["supplier_id"] for x in listed} == {None, str(supplier.id)}
    assert api.delete(f"/match-tolerances/suppliers/{supplier.id}").status_code == 204
    again = post_invoice(
        api, invoice_body(supplier, "INV-13", [_paper("2", "13.00")], order_number=PO)
    )
    assert again["po_match_status"] == "discrepancy"


def test_a_lower_price_is_shown_but_no_discrepancy(api: ApiClient, make_order, supplier):
    make_order()
    api.put("/match-tolerances/company", {"total_amount": None})
    cheaper = post_invoice(
        api, invoice_body(supplier, "INV-14", [_paper("2", "12.00")], order_number=PO)
    )
    assert cheaper["po_match_status"] == "within_tolerance"
    assert match_of(api, cheaper)["lines"][0]["price_variance"] == "-0.5"


def test_the_total_tolerance_catches_what_the_lines_let_pass(api: ApiClient, make_order, supplier):
    make_order()
    api.put("/match-tolerances/company", {"price_percent": "1", "total_amount": "0.10"})
    rows = [_paper("10", "12.60")]  # 0.8 % a box, 1.00 in all
    invoice = post_invoice(api, invoice_body(supplier, "INV-15", rows, order_number=PO))
    match = match_of(api, invoice)
    assert match["status"] == "discrepancy"
    assert [r["code"] for r in match["reasons"]] == ["total_variance"]


def test_a_row_the_order_does_not_have_is_unmatched(api: ApiClient, make_order, supplier):
    make_order()
    rows = [_paper("1"), row("Espresso machine", "1", "899.00")]
    invoice = post_invoice(api, invoice_body(supplier, "INV-16", rows, order_number=PO))
    match = match_of(api, invoice)
    assert [x["status"] for x in match["lines"]] == ["matched", "unmatched"]
    assert match["lines"][1]["reasons"][0]["code"] == "no_order_line"
    assert invoice["po_match_status"] == "discrepancy"


def test_one_row_may_bill_two_order_lines_of_the_same_item(api: ApiClient, make_order, supplier):
    lines = [
        {"line_id": "A", "item_code": "PAPER-A4", "quantity": "5", "unit_price": "12.50",
         "description": "Paper for floor 1"},
        {"line_id": "B", "item_code": "PAPER-A4", "quantity": "5", "unit_price": "12.50",
         "description": "Paper for floor 2"},
    ]  # fmt: skip
    make_order(lines=lines)
    rows = [row("Paper", "8", "12.50", product_code="PAPER-A4")]
    invoice = post_invoice(api, invoice_body(supplier, "INV-17", rows, order_number=PO))
    line = match_of(api, invoice)["lines"][0]
    assert [(x["line_id"], x["quantity"]) for x in line["order_lines"]] == [("A", "5"), ("B", "3")]
    assert invoice["po_match_status"] == "matched"


def test_an_order_of_another_currency_or_supplier_is_a_discrepancy(
    api: ApiClient, make_order, supplier
):
    make_order(currency="SEK")
    invoice = post_invoice(api, invoice_body(supplier, "INV-18", [_paper("1")], order_number=PO))
    match = match_of(api, invoice)
    assert match["status"] == "discrepancy"
    assert match["reasons"][0]["code"] == "currency_differs"


def test_a_named_order_that_does_not_exist_is_said(api: ApiClient, make_order, supplier):
    invoice = post_invoice(api, invoice_body(supplier, "INV-19", [_paper("1")], order_number="X-1"))
    assert invoice["po_match_status"] == "no_po"


def test_three_way_matching_bills_only_what_arrived(api: ApiClient, make_order, supplier, company):
    update_company(company, {"po_matching": "three_way"})
    order = make_order()
    nothing = post_invoice(api, invoice_body(supplier, "INV-20", [_paper("4")], order_number=PO))
    match = match_of(api, nothing)
    assert (match["status"], match["mode"]) == ("discrepancy", "three_way")
    assert match["lines"][0]["reasons"][0]["code"] == "not_received"

    receipt = {"lines": [{"line_id": "1", "quantity": "4"}]}
    assert api.post(f"/purchase-orders/{order['id']}/receipts", receipt).status_code == 201
    # The goods came: the invoice that waited for them is matched again, and matches.
    assert match_of(api, nothing)["status"] == "matched"
    more = post_invoice(api, invoice_body(supplier, "INV-21", [_paper("4")], order_number=PO))
    assert more["po_match_status"] == "discrepancy"  # the four that came are billed


def test_three_way_with_a_full_receipt_first(api: ApiClient, make_order, supplier, company):
    update_company(company, {"po_matching": "three_way"})
    order = make_order()
    receipt = {"lines": [{"line_id": "1", "quantity": "10"}, {"line_id": "2", "quantity": "1"}]}
    assert api.post(f"/purchase-orders/{order['id']}/receipts", receipt).status_code == 201
    rows = [_paper("10"), _delivery()]
    invoice = post_invoice(api, invoice_body(supplier, "INV-23", rows, order_number=PO))
    assert invoice["po_match_status"] == "matched"


def test_an_invoice_changed_while_new_is_matched_again(api: ApiClient, make_order, supplier):
    make_order()
    invoice = post_invoice(api, invoice_body(supplier, "INV-22", [_paper("12")], order_number=PO))
    assert invoice["po_match_status"] == "discrepancy"
    fixed = invoice_body(supplier, "INV-22", [_paper("10")], order_number=PO)
    changed = api.patch(f"/invoices/{invoice['id']}", fixed)
    assert changed.status_code == 200, changed.content
    assert changed.json()["po_match_status"] == "matched"
