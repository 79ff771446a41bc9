"""Creating invoices through the API: suppliers, money rules, numbering."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.invoices.models import Invoice, InvoiceRow
from payables.masterdata.models import Supplier


def test_creates_invoice_and_reads_it_back(api, invoice_payload):
    response = api.post("/invoices", invoice_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "new"
    assert body["internal_id"] == 1
    assert body["gross_amount"] == "176.50"
    assert body["amount_due"] == "176.50"
    assert [r["net_amount"] for r in body["rows"]] == ["100.00", "50.00"]
    assert [v["vat_amount"] for v in body["vat_breakdown"]] == ["22.00", "4.50"]
    assert api.get(f"/invoices/{body['id']}").json() == body
    assert Event.objects.filter(type="invoice.created", subject_id=body["id"]).count() == 1


def test_gets_invoice_by_internal_id(api, make_invoice):
    make_invoice()
    second = make_invoice()
    body = api.get(f"/invoices/{second.internal_id}").json()
    assert body["id"] == str(second.id)


def test_internal_ids_are_sequential_per_company(api, invoice_payload, other_api):
    ids = [
        api.post("/invoices", invoice_payload(invoice_number=f"N-{n}")).json()["internal_id"]
        for n in range(3)
    ]
    assert ids == [1, 2, 3]
    other = other_api.post(
        "/invoices",
        invoice_payload(supplier_id=None, supplier={"name": "Other AS", "country": "EE"}),
    )
    assert other.json()["internal_id"] == 1


def test_keeps_every_field(api, invoice_payload):
    payload = invoice_payload(
        invoice_number="ÄÖ-2026/77",
        vat_date="2026-10-31",
        entry_date="2026-11-03",
        order_number="PO-55",
        buyer_reference="Dept 4",
        seller_reference="S-9",
        payment_reference="2026000013",
        bank_account="EE382200221020145685",
        bic="HABAEE2X",
        payment_terms="14 days net",
        custom_fields={"project": "Riga office", "approver_hint": 3},
        origin="upload",
    )
    payload["rows"][0] |= {"item_code": "A4-500", "unit": "pcs", "account_code": "4010",
                           "dimensions": {"cost_centre": "CC1", "project": "P7"}}  # fmt: skip
    body = api.post("/invoices", payload).json()
    for key in ("invoice_number", "vat_date", "entry_date", "order_number", "buyer_reference",
                "seller_reference", "payment_reference", "bank_account", "bic",
                "payment_terms", "custom_fields", "origin"):  # fmt: skip
        assert body[key] == payload[key], key
    row = body["rows"][0]
    assert (row["item_code"], row["unit"], row["account_code"]) == ("A4-500", "pcs", "4010")
    assert row["dimensions"] == {"cost_centre": "CC1", "project": "P7"}
    assert (row["quantity"], row["unit_price"], row["vat_rate"]) == ("10", "10", "22")


def test_accepts_amounts_as_json_numbers_without_float_drift(api, invoice_payload):
    supplier_id = invoice_payload()["supplier_id"]
    raw = (
        f'{{"supplier_id": "{supplier_id}", "invoice_number": "F-1", "invoice_date": "2026-11-02",'
        ' "currency": "EUR", "net_amount": 0.10, "vat_amount": 0.20, "gross_amount": 0.30}'
    )
    response = api.post("/invoices", raw=raw)
    assert response.status_code == 201, response.json()
    assert response.json()["gross_amount"] == "0.30"


def test_large_amounts_survive_to_the_cent(api, invoice_payload):
    payload = invoice_payload(
        net_amount="9999999999.99", vat_amount="0", gross_amount="9999999999.99",
        rows=[{"description": "Ship", "net_amount": "9999999999.99"}],
        vat_breakdown=[{"vat_rate": "0", "base_amount": "9999999999.99", "vat_amount": "0"}],
    )  # fmt: skip
    body = api.post("/invoices", payload).json()
    assert body["gross_amount"] == "9999999999.99"
    assert api.get(f"/invoices/{body['id']}").json()["rows"][0]["net_amount"] == "9999999999.99"
    assert str(Invoice.objects.get().gross_amount.normalize()) == "9999999999.99"


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("net_amount", "150.01", ["body", "net_amount"]),
        ("vat_amount", "26.49", ["body", "vat_amount"]),
        ("gross_amount", "176.51", ["body", "gross_amount"]),
    ],
)
def test_refuses_totals_off_by_one_cent(api, invoice_payload, field, value, loc):
    response = api.post("/invoices", invoice_payload(**{field: value}))
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["detail"]]
    assert loc in locs
    assert all(e["type"] == "totals_mismatch" for e in response.json()["detail"])
    assert not Invoice.objects.exists()
    assert not Event.objects.filter(type="invoice.created").exists()


def test_refuses_row_off_by_one_cent(api, invoice_payload):
    payload = invoice_payload()
    payload["rows"][1]["net_amount"] = "49.99"
    detail = api.post("/invoices", payload).json()["detail"]
    assert detail[0]["loc"] == ["body", "net_amount"]
    assert "differs from the sum of rows 149.99 by 0.01 EUR" in detail[0]["msg"]


def test_refuses_vat_breakdown_bases_that_do_not_add_up(api, invoice_payload):
    payload = invoice_payload()
    payload["vat_breakdown"][0]["base_amount"] = "100.01"
    detail = api.post("/invoices", payload).json()["detail"]
    assert [e["loc"] for e in detail] == [["body", "vat_breakdown"]]


def test_rounding_amount_reconciles_gross(api, invoice_payload):
    body = api.post(
        "/invoices", invoice_payload(rounding_amount="-0.50", gross_amount="176.00")
    ).json()
    assert (body["rounding_amount"], body["gross_amount"]) == ("-0.50", "176.00")


def test_refuses_more_decimals_than_the_currency_has(api, invoice_payload):
    payload = invoice_payload()
    payload["rows"][0]["net_amount"] = "100.001"
    response = api.post("/invoices", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rows", 0, "net_amount"]
    assert response.json()["detail"][0]["type"] == "amount_scale"


def test_yen_invoices_have_no_decimals(api, invoice_payload):
    payload = invoice_payload(
        currency="JPY", currency_rate="0.0061", net_amount="1000", vat_amount="100",
        gross_amount="1100", rows=[{"description": "Tea", "net_amount": "1000"}],
        vat_breakdown=[{"vat_rate": "10", "base_amount": "1000", "vat_amount": "100"}],
    )  # fmt: skip
    body = api.post("/invoices", payload).json()
    assert (body["gross_amount"], body["rows"][0]["net_amount"]) == ("1100", "1000")
    assert body["home_gross_amount"] == "6.71"


def test_foreign_currency_gets_home_totals(api, invoice_payload):
    payload = invoice_payload(currency="SEK", currency_rate="0.0868")
    body = api.post("/invoices", payload).json()
    assert body["currency"] == "SEK"
    assert body["home_currency"] == "EUR"
    assert (body["home_net_amount"], body["home_vat_amount"], body["home_gross_amount"]) == (
        "13.02", "2.30", "15.32",
    )  # fmt: skip


def test_foreign_currency_needs_a_rate(api, invoice_payload):
    """Without a rate of its own, the company's or the ECB's; the ECB has none for UAH."""
    response = api.post("/invoices", invoice_payload(currency="UAH"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "currency_rate"]


def test_home_currency_rate_must_be_one(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(currency_rate="1.1"))
    assert response.json()["detail"][0]["loc"] == ["body", "currency_rate"]


def test_credit_note_has_negative_amounts(api, invoice_payload):
    payload = invoice_payload(
        type="credit_note", net_amount="-100.00", vat_amount="-22.00", gross_amount="-122.00",
        rows=[{"description": "Returned paper", "net_amount": "-100.00"}],
        vat_breakdown=[{"vat_rate": "22", "base_amount": "-100.00", "vat_amount": "-22.00"}],
    )  # fmt: skip
    body = api.post("/invoices", payload).json()
    assert (body["type"], body["gross_amount"], body["amount_due"]) == (
        "credit_note", "-122.00", "-122.00",
    )  # fmt: skip


def test_refuses_credit_note_with_positive_total(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(type="credit_note"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "credit_note_positive"


def test_duplicate_number_for_the_same_supplier_is_409_with_existing_id(api, invoice_payload):
    first = api.post("/invoices", invoice_payload()).json()
    response = api.post("/invoices", invoice_payload())
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_invoice_number"
    assert response.json()["existing_id"] == first["id"]
    assert Invoice.objects.count() == 1


def test_same_number_from_another_supplier_is_fine(api, invoice_payload):
    api.post("/invoices", invoice_payload())
    other = invoice_payload(supplier_id=None, supplier={"name": "Paber OÜ", "country": "EE"})
    assert api.post("/invoices", other).status_code == 201


def test_finds_supplier_by_registry_code(api, invoice_payload, supplier):
    payload = invoice_payload(supplier_id=None, supplier={"registry_code": "10137319"})
    assert api.post("/invoices", payload).json()["supplier"]["id"] == str(supplier.id)


def test_finds_supplier_by_vat_number_in_any_spelling(api, invoice_payload, supplier):
    payload = invoice_payload(
        supplier_id=None, supplier={"vat_number": "100 931 558", "country": "ee"}
    )
    assert api.post("/invoices", payload).json()["supplier"]["id"] == str(supplier.id)


def test_creates_embedded_supplier_when_none_matches(api, invoice_payload):
    embedded = {"name": "Uus Tarnija OÜ", "country": "EE", "vat_number": "EE101625368",
                "bank_accounts": [{"iban": "EE931000010201456854"}]}  # fmt: skip
    body = api.post("/invoices", invoice_payload(supplier_id=None, supplier=embedded)).json()
    created = Supplier.objects.get(pk=body["supplier"]["id"])
    assert (created.name, created.vat_number) == ("Uus Tarnija OÜ", "EE101625368")
    assert created.bank_accounts.get().iban == "EE931000010201456854"
    assert Event.objects.filter(type="supplier.created", subject_id=created.id).exists()


def test_embedded_supplier_with_bad_vat_number_points_into_supplier(api, invoice_payload):
    embedded = {"name": "Vigane OÜ", "country": "EE", "vat_number": "EE101625369"}
    response = api.post("/invoices", invoice_payload(supplier_id=None, supplier=embedded))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "supplier", "vat_number"]
    assert not Supplier.objects.filter(name="Vigane OÜ").exists()
    assert not Invoice.objects.exists()


def test_unknown_supplier_without_name_is_422(api, invoice_payload):
    payload = invoice_payload(supplier_id=None, supplier={"registry_code": "99999999"})
    response = api.post("/invoices", payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "supplier"]


def test_missing_supplier_is_422(api, invoice_payload):
    response = api.post("/invoices", invoice_payload(supplier_id=None))
    assert response.json()["detail"][0]["loc"] == ["body", "supplier"]


def test_unknown_supplier_id_is_422(api, invoice_payload):
    response = api.post(
        "/invoices", invoice_payload(supplier_id="00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "supplier_id"]


def test_failed_create_leaves_no_rows_behind(api, invoice_payload):
    api.post("/invoices", invoice_payload(gross_amount="1.00"))
    assert not InvoiceRow.objects.exists()
