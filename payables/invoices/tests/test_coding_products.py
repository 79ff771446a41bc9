"""Product recognition: a seller's product code becomes the company's item and its coding."""

from __future__ import annotations

import pytest

from payables.invoices.models import InvoiceRow
from payables.invoices.tests.master_data import coded, locs
from payables.masterdata.services import create_supplier


@pytest.fixture
def paper(master_data, supplier):
    """Item PAPER, which the supplier sells as "A4-500", with its default coding."""
    master_data.account("4000")
    master_data.account("4010")
    master_data.vat_code("VAT22")
    master_data.vat_code("VAT9", rate="9")
    master_data.dimension("cost_centre", "CC1")
    master_data.dimension("cost_centre", "CC2")
    master_data.dimension("project", "P7")
    return master_data.item(
        "PAPER",
        default_account="4000",
        default_vat_code="VAT22",
        default_dimensions={"cost_centre": "CC1", "project": "P7"},
        seller_mappings=[{"supplier_id": str(supplier.id), "seller_code": "A4-500"}],
    )


def row_answer(response, index: int = 0) -> dict:
    assert response.status_code in (200, 201), response.json()
    return response.json()["rows"][index]


def test_recognised_row_gets_the_item_and_its_coding(api, invoice_payload, paper):
    response = api.post("/invoices", coded(invoice_payload(), {"item_code": "A4-500"}))
    row = row_answer(response)
    assert (row["item_code"], row["product_code"]) == ("A4-500", "PAPER")
    assert (row["account_code"], row["vat_code"]) == ("4000", "VAT22")
    assert row["dimensions"] == {"cost_centre": "CC1", "project": "P7"}
    stored = InvoiceRow.objects.get(position=1)
    assert (stored.item_code, stored.product_code, stored.account_code) == (
        "A4-500",
        "PAPER",
        "4000",
    )
    assert row_answer(response, 1)["product_code"] == ""  # a row without a seller code


def test_explicit_row_account_is_never_overwritten(api, invoice_payload, paper):
    payload = coded(invoice_payload(), {"item_code": "A4-500", "account_code": "4010"})
    row = row_answer(api.post("/invoices", payload))
    assert (row["product_code"], row["account_code"], row["vat_code"]) == (
        "PAPER",
        "4010",
        "VAT22",
    )


def test_explicit_vat_code_and_dimension_are_never_overwritten(api, invoice_payload, paper):
    payload = coded(
        invoice_payload(),
        {"item_code": "A4-500", "vat_code": "VAT9", "dimensions": {"cost_centre": "CC2"}},
    )
    row = row_answer(api.post("/invoices", payload))
    assert row["vat_code"] == "VAT9"
    assert row["dimensions"] == {"cost_centre": "CC2", "project": "P7"}


def test_another_suppliers_code_is_not_recognised(api, invoice_payload, paper, actor):
    other = create_supplier({"name": "Muu OÜ", "country": "EE"}, actor=actor)
    payload = coded(invoice_payload(supplier_id=other.id), {"item_code": "A4-500"})
    row = row_answer(api.post("/invoices", payload))
    assert (row["product_code"], row["account_code"]) == ("", "")


def test_inactive_item_is_not_recognised(api, invoice_payload, paper):
    assert api.post("/items/PAPER/deactivate").json()["is_active"] is False
    row = row_answer(api.post("/invoices", coded(invoice_payload(), {"item_code": "A4-500"})))
    assert (row["product_code"], row["account_code"]) == ("", "")


def test_defaults_not_valid_on_the_invoice_date_are_not_used(
    api, invoice_payload, paper, master_data
):
    master_data.vat_code("VAT22", valid_to="2026-11-01")
    master_data.dimension("project", "P7", is_active=False)
    master_data.account("4000", is_active=False)
    row = row_answer(api.post("/invoices", coded(invoice_payload(), {"item_code": "A4-500"})))
    assert row["product_code"] == "PAPER"
    assert (row["account_code"], row["vat_code"]) == ("", "")
    assert row["dimensions"] == {"cost_centre": "CC1"}


def test_given_product_code_brings_the_items_coding(api, invoice_payload, paper):
    row = row_answer(api.post("/invoices", coded(invoice_payload(), {"product_code": "PAPER"})))
    assert (row["item_code"], row["product_code"], row["account_code"]) == ("", "PAPER", "4000")


@pytest.mark.parametrize(
    ("code", "expected_type"), [("INK", "unknown_code"), ("OLD", "inactive_code")]
)
def test_given_product_code_must_be_an_active_item(
    api, invoice_payload, paper, master_data, code, expected_type
):
    master_data.item("OLD", is_active=False)
    response = api.post("/invoices", coded(invoice_payload(), {}, {"product_code": code}))
    assert locs(response) == [["body", "rows", 1, "product_code"]]
    assert response.json()["detail"][0]["type"] == expected_type


def test_another_companys_item_is_unknown(api, invoice_payload, paper, other_master_data):
    other_master_data.item("INK")
    response = api.post("/invoices", coded(invoice_payload(), {"product_code": "INK"}))
    assert locs(response) == [["body", "rows", 0, "product_code"]]


def test_rows_sent_in_an_update_are_recognised(api, invoice_payload, paper):
    created = api.post("/invoices", invoice_payload()).json()
    rows = [{k: v for k, v in r.items() if k != "position"} for r in created["rows"]]
    rows[1]["item_code"] = "A4-500"
    row = row_answer(api.patch(f"/invoices/{created['id']}", {"rows": rows}), 1)
    assert (row["product_code"], row["account_code"]) == ("PAPER", "4000")
