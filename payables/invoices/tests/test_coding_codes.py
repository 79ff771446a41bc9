"""Row and VAT breakdown codes checked against the company's master data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payables.events.models import Event
from payables.invoices.models import Invoice, InvoiceRow
from payables.invoices.schemas import InvoiceIn
from payables.invoices.services import create_invoice
from payables.invoices.tests.master_data import coded, locs

INVOICE_DATE = date(2026, 11, 2)  # the date of the standard payload


def assert_nothing_stored() -> None:
    assert Invoice.objects.count() == 0
    assert not Event.objects.filter(type="invoice.created").exists()


def test_known_codes_are_stored_and_answered(api, invoice_payload, master_data):
    master_data.account("4000")
    master_data.vat_code("VAT22", rate="22")
    master_data.dimension("cost_centre", "CC1")
    payload = coded(
        invoice_payload(),
        {"account_code": "4000", "vat_code": "VAT22", "dimensions": {"cost_centre": "CC1"}},
        vat0={"vat_code": "VAT22"},
    )
    response = api.post("/invoices", payload)
    assert response.status_code == 201, response.json()
    row = response.json()["rows"][0]
    assert (row["account_code"], row["vat_code"], row["dimensions"]) == (
        "4000",
        "VAT22",
        {"cost_centre": "CC1"},
    )
    assert response.json()["vat_breakdown"][0]["vat_code"] == "VAT22"
    stored = InvoiceRow.objects.get(invoice_id=response.json()["id"], position=1)
    assert (stored.account_code, stored.vat_code) == ("4000", "VAT22")


ACCOUNT_CASES = {
    "unknown": ({}, "4999", "unknown_code"),
    "inactive": ({"is_active": False}, "4000", "inactive_code"),
}


@pytest.mark.parametrize(
    ("fields", "code", "expected_type"), ACCOUNT_CASES.values(), ids=list(ACCOUNT_CASES)
)
def test_account_is_refused_at_its_row(
    api, invoice_payload, master_data, fields, code, expected_type
):
    master_data.account("4000", **fields)
    response = api.post("/invoices", coded(invoice_payload(), {}, {"account_code": code}))
    assert locs(response) == [["body", "rows", 1, "account_code"]]
    assert response.json()["detail"][0]["type"] == expected_type
    assert code in response.json()["detail"][0]["msg"]
    assert_nothing_stored()


VAT_CODE_CASES = {
    "unknown": ({}, "VAT99", "unknown_code"),
    "inactive": ({"is_active": False}, "VAT22", "inactive_code"),
    "expired": ({"valid_to": "2026-11-01"}, "VAT22", "code_out_of_date"),
    "not_yet_valid": ({"valid_from": "2026-11-03"}, "VAT22", "code_out_of_date"),
}


@pytest.mark.parametrize(
    ("fields", "code", "expected_type"), VAT_CODE_CASES.values(), ids=list(VAT_CODE_CASES)
)
def test_row_vat_code_is_refused_at_its_row(
    api, invoice_payload, master_data, fields, code, expected_type
):
    master_data.vat_code("VAT22", **fields)
    response = api.post("/invoices", coded(invoice_payload(), {"vat_code": code}))
    assert locs(response) == [["body", "rows", 0, "vat_code"]]
    assert response.json()["detail"][0]["type"] == expected_type
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("fields", "code", "expected_type"), VAT_CODE_CASES.values(), ids=list(VAT_CODE_CASES)
)
def test_breakdown_vat_code_is_refused_at_its_line(
    api, invoice_payload, master_data, fields, code, expected_type
):
    master_data.vat_code("VAT22", **fields)
    response = api.post("/invoices", coded(invoice_payload(), vat1={"vat_code": code}))
    assert locs(response) == [["body", "vat_breakdown", 1, "vat_code"]]
    assert response.json()["detail"][0]["type"] == expected_type
    assert_nothing_stored()


DIMENSION_CASES = {
    "unknown": ({}, "CC9", "unknown_code"),
    "inactive": ({"is_active": False}, "CC1", "inactive_code"),
    "expired": ({"valid_to": "2026-11-01"}, "CC1", "code_out_of_date"),
    "not_yet_valid": ({"valid_from": "2026-11-03"}, "CC1", "code_out_of_date"),
}


@pytest.mark.parametrize(
    ("fields", "code", "expected_type"), DIMENSION_CASES.values(), ids=list(DIMENSION_CASES)
)
def test_dimension_value_is_refused_at_its_row_and_type(
    api, invoice_payload, master_data, fields, code, expected_type
):
    master_data.dimension("cost_centre", "CC1", **fields)
    payload = coded(invoice_payload(), {}, {"dimensions": {"cost_centre": code}})
    response = api.post("/invoices", payload)
    assert locs(response) == [["body", "rows", 1, "dimensions", "cost_centre"]]
    assert response.json()["detail"][0]["type"] == expected_type
    assert_nothing_stored()


def test_value_of_an_inactive_dimension_type_is_refused(api, invoice_payload, master_data):
    master_data.dimension("cost_centre", "CC1")
    master_data.dimension_type("cost_centre", is_active=False)
    payload = coded(invoice_payload(), {"dimensions": {"cost_centre": "CC1"}})
    response = api.post("/invoices", payload)
    assert locs(response) == [["body", "rows", 0, "dimensions", "cost_centre"]]
    assert response.json()["detail"][0]["type"] == "inactive_code"


def test_dimension_value_valid_until_yesterday_is_refused_today_and_accepted_last_week(
    api, invoice_payload, master_data
):
    today = timezone.localdate()
    master_data.dimension("project", "P7", valid_to=(today - timedelta(days=1)).isoformat())
    dated_today = coded(
        invoice_payload(invoice_number="TODAY", invoice_date=today.isoformat()),
        {"dimensions": {"project": "P7"}},
    )
    refused = api.post("/invoices", dated_today)
    assert locs(refused) == [["body", "rows", 0, "dimensions", "project"]]
    assert refused.json()["detail"][0]["type"] == "code_out_of_date"
    dated_last_week = coded(
        invoice_payload(
            invoice_number="LAST-WEEK", invoice_date=(today - timedelta(days=7)).isoformat()
        ),
        {"dimensions": {"project": "P7"}},
    )
    accepted = api.post("/invoices", dated_last_week)
    assert accepted.status_code == 201, accepted.json()
    assert list(Invoice.objects.values_list("invoice_number", flat=True)) == ["LAST-WEEK"]


def test_validity_includes_its_first_and_last_day(api, invoice_payload, master_data):
    day = INVOICE_DATE.isoformat()
    master_data.vat_code("VAT22", valid_from=day, valid_to=day)
    master_data.dimension("project", "P7", valid_from=day, valid_to=day)
    payload = coded(invoice_payload(), {"vat_code": "VAT22", "dimensions": {"project": "P7"}})
    assert api.post("/invoices", payload).status_code == 201


def test_every_problem_of_the_invoice_is_reported_together(api, invoice_payload, master_data):
    master_data.account("4000")
    master_data.vat_code("VAT22")
    master_data.dimension("cost_centre", "CC1")
    master_data.dimension("project", "P7", is_active=False)
    payload = coded(
        invoice_payload(),
        {"account_code": "4000", "vat_code": "NOPE", "dimensions": {"project": "P7"}},
        {"account_code": "9999", "dimensions": {"cost_centre": "CC2", "project": "P7"}},
        vat0={"vat_code": "VAT0"},
    )
    assert locs(api.post("/invoices", payload)) == [
        ["body", "rows", 0, "vat_code"],
        ["body", "rows", 0, "dimensions", "project"],
        ["body", "rows", 1, "account_code"],
        ["body", "rows", 1, "dimensions", "cost_centre"],
        ["body", "rows", 1, "dimensions", "project"],
        ["body", "vat_breakdown", 0, "vat_code"],
    ]
    assert_nothing_stored()


def test_company_without_master_data_is_not_checked(api, invoice_payload):
    payload = coded(
        invoice_payload(),
        {"account_code": "4000", "vat_code": "VAT22", "dimensions": {"cost_centre": "CC1"}},
        vat0={"vat_code": "VAT22"},
    )
    assert api.post("/invoices", payload).status_code == 201


def test_each_kind_is_checked_only_once_the_company_keeps_it(api, invoice_payload, master_data):
    """Accounts are loaded, VAT codes and project values are not: only accounts are checked."""
    master_data.account("4000")
    master_data.dimension("cost_centre", "CC1")
    payload = coded(
        invoice_payload(),
        {"account_code": "4001", "vat_code": "ANY", "dimensions": {"project": "ANY"}},
        {"dimensions": {"cost_centre": "CC2"}},
        vat0={"vat_code": "ANY"},
    )
    assert locs(api.post("/invoices", payload)) == [
        ["body", "rows", 0, "account_code"],
        ["body", "rows", 1, "dimensions", "cost_centre"],
    ]


def test_a_chart_of_only_inactive_accounts_is_still_checked(api, invoice_payload, master_data):
    master_data.account("4000", is_active=False)
    response = api.post("/invoices", coded(invoice_payload(), {"account_code": "4001"}))
    assert locs(response) == [["body", "rows", 0, "account_code"]]


def test_another_companys_codes_are_unknown(api, invoice_payload, master_data, other_master_data):
    master_data.account("4000")
    master_data.vat_code("VAT22")
    master_data.dimension("cost_centre", "CC1")
    other_master_data.account("5000")
    other_master_data.vat_code("VAT24", rate="24")
    other_master_data.dimension("cost_centre", "CC9")
    payload = coded(
        invoice_payload(),
        {"account_code": "5000", "vat_code": "VAT24", "dimensions": {"cost_centre": "CC9"}},
    )
    assert locs(api.post("/invoices", payload)) == [
        ["body", "rows", 0, "vat_code"],
        ["body", "rows", 0, "account_code"],
        ["body", "rows", 0, "dimensions", "cost_centre"],
    ]
    assert_nothing_stored()


def test_update_with_an_unknown_account_is_refused_and_changes_nothing(
    api, invoice_payload, master_data
):
    master_data.account("4000")
    created = api.post("/invoices", coded(invoice_payload(), {"account_code": "4000"})).json()
    sent = [{k: v for k, v in r.items() if k != "position"} for r in created["rows"]]
    sent[0]["account_code"] = "4999"
    response = api.patch(f"/invoices/{created['id']}", {"rows": sent})
    assert locs(response) == [["body", "rows", 0, "account_code"]]
    assert api.get(f"/invoices/{created['id']}").json() == created
    assert not Event.objects.filter(type="invoice.updated").exists()


def test_update_of_other_fields_does_not_judge_the_stored_coding_again(
    api, invoice_payload, master_data
):
    """An account deactivated after the invoice was coded does not block editing its due date."""
    master_data.account("4000")
    created = api.post("/invoices", coded(invoice_payload(), {"account_code": "4000"})).json()
    master_data.account("4000", is_active=False)
    response = api.patch(f"/invoices/{created['id']}", {"due_date": "2026-12-01"})
    assert response.status_code == 200, response.json()
    assert response.json()["rows"][0]["account_code"] == "4000"


def test_moving_the_invoice_date_judges_the_stored_codes_on_the_new_date(
    api, invoice_payload, master_data
):
    master_data.dimension("project", "P7", valid_to="2026-11-30")
    payload = coded(invoice_payload(), {"dimensions": {"project": "P7"}})
    created = api.post("/invoices", payload).json()
    response = api.patch(f"/invoices/{created['id']}", {"invoice_date": "2026-12-01"})
    assert locs(response) == [["body", "rows", 0, "dimensions", "project"]]
    assert Invoice.objects.get().invoice_date == INVOICE_DATE


def test_lookups_do_not_grow_with_the_rows(actor, supplier, master_data):
    """All codes of an invoice are looked up together, so 40 rows cost what 2 rows cost."""
    master_data.account("4000")
    master_data.vat_code("VAT22")
    master_data.dimension("cost_centre", "CC1")
    master_data.dimension("project", "P7")
    master_data.item(
        "PAPER", seller_mappings=[{"supplier_id": str(supplier.id), "seller_code": "A4"}]
    )
    master_data.custom_field("po", "text")

    def invoice(number: str, rows: int) -> InvoiceIn:
        row = {
            "item_code": "A4",
            "net_amount": "1.00",
            "vat_code": "VAT22",
            "account_code": "4000",
            "dimensions": {"cost_centre": "CC1", "project": "P7"},
        }
        return InvoiceIn(
            supplier_id=supplier.id,
            invoice_number=number,
            invoice_date=INVOICE_DATE,
            currency="EUR",
            net_amount=rows,
            vat_amount=0,
            gross_amount=rows,
            custom_fields={"po": "PO-1"},
            rows=[row] * rows,
            vat_breakdown=[{"vat_code": "VAT22", "base_amount": rows, "vat_amount": 0}],
        )

    create_invoice(invoice("FIRST", 1), actor=actor)  # the company's first: counters start
    counts = []
    for number, rows in (("FEW", 2), ("MANY", 40)):
        with CaptureQueriesContext(connection) as captured:
            create_invoice(invoice(number, rows), actor=actor)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert (
        InvoiceRow.objects.filter(invoice__invoice_number="MANY", product_code="PAPER").count()
        == 40
    )
