"""Invoices from every channel are matched: an e-invoice's order and line references, and
the batch upsert."""

from __future__ import annotations

from pathlib import Path

from payables.conftest import ApiClient
from payables.masterdata.services import create_supplier
from payables.orders.tests.matching_cases import invoice_body, match_of, row
from payables.tenancy.actors import Actor

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "einvoice/tests/samples/ubl-invoice-two-vat-rates-allowance-charge-csv-attachment.xml"
)


def test_an_e_invoice_is_matched_to_the_order_it_names(api: ApiClient, actor: Actor):
    supplier = create_supplier(
        {"name": "Toimistotarvike Oy", "country": "FI",
         "bank_accounts": [{"iban": "FI2112345600000785"}]},  # the sample's ids fail checks
        actor=actor,
    )  # fmt: skip
    order = {
        "number": "PO-88121",  # the sample's OrderReference
        "supplier_id": str(supplier.id),
        "order_date": "2024-05-02",
        "currency": "EUR",
        "lines": [
            {"line_id": "10", "seller_item_code": "PAP-A4-5", "description": "Paper",
             "quantity": "5", "unit_price": "40.00"},
            {"line_id": "20", "description": "Coffee beans 5 kg", "quantity": "1",
             "unit_price": "50.00"},
        ],
    }  # fmt: skip
    assert api.post("/purchase-orders", order).status_code == 201
    answer = api.post("/invoices/import", raw=SAMPLE.read_bytes(), content_type="application/xml")
    assert answer.status_code == 200, answer.content
    [result] = answer.json()["documents"][0]["invoices"]
    invoice = {"id": result["invoice_id"]}
    match = match_of(api, invoice)
    assert (match["purchase_order_number"], match["found_by"]) == ("PO-88121", "order_number")
    # The document's allowance (-10) and freight (+5) are no lines of the order: they make
    # the net 165.00, less than the order's 170.00 for what is billed.
    assert [(x["row"], x["found_by"], x["status"]) for x in match["lines"]] == [
        (1, "item_code", "matched"),
        (2, "description", "matched"),
    ]
    assert (match["status"], match["invoice_net_amount"], match["expected_net_amount"]) == (
        "within_tolerance",
        "165.00",
        "170.00",
    )


def test_a_batch_upsert_item_is_matched_and_a_re_send_matched_again(
    api: ApiClient, make_order, supplier
):
    make_order()
    rows = [row("Paper A4, box of 5 reams", "10", "12.50", order_line_reference="1")]
    item = invoice_body(supplier, "EXT-1", rows, order_number="PO-2026-001")
    item |= {"source_system": "erp", "source_invoice_id": "doc-1"}
    answer = api.post("/invoices/import/upsert", {"invoices": [item]})
    assert answer.status_code == 200, answer.content
    [invoice_id] = answer.json()["invoice_ids"]
    assert match_of(api, {"id": invoice_id})["status"] == "matched"

    item["rows"][0] |= {"quantity": "12", "net_amount": "150.00"}
    item |= {"net_amount": "150.00", "vat_amount": "36.00", "gross_amount": "186.00"}
    item["vat_breakdown"][0] |= {"base_amount": "150.00", "vat_amount": "36.00"}
    again = api.post("/invoices/import/upsert", {"invoices": [item]})
    assert again.json()["updated_count"] == 1, again.content
    match = match_of(api, {"id": invoice_id})
    assert (match["status"], match["lines"][0]["quantity_over"]) == ("discrepancy", "2")
