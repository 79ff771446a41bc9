"""PUT/GET /invoices/{ref}/prebooking: splits by percent or by sum, rounding, refusals."""

from __future__ import annotations

import pytest

from payables.coding.models import PostingLine, PrebookingSplit
from payables.invoices.tests.master_data import locs

pytestmark = pytest.mark.usefixtures("master_data")

HUNDRED = {
    "net_amount": "100.00",
    "vat_amount": "0.00",
    "gross_amount": "100.00",
    "rows": [{"net_amount": "100.00", "vat_rate": "0", "vat_amount": "0.00"}],
    "vat_breakdown": [{"vat_rate": "0", "base_amount": "100.00", "vat_amount": "0.00"}],
}


def split(account: str, **share: str) -> dict:
    return {"account_code": account, **share}


def amounts(body: dict) -> list[tuple[str, str]]:
    return [(p["net_amount"], p["vat_amount"]) for p in body["posting_lines"]]


def test_splits_by_percent_net_and_vat_proportionally(api, make_invoice):
    invoice = make_invoice()  # 150.00 net + 26.50 VAT = 176.50

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", percent="60"), split("4010", percent="40")]},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert amounts(body) == [("90.00", "15.90"), ("60.00", "10.60")]
    assert [s["percent"] for s in body["prebooking"]] == ["60", "40"]
    assert {p["source"] for p in body["posting_lines"]} == {"prebooking"}
    invoice.refresh_from_db()
    assert invoice.prebooked


def test_the_last_split_absorbs_the_rounding_of_percentages(api, make_invoice):
    invoice = make_invoice(**HUNDRED)
    thirds = [split("4000", percent="33.33"), split("4010", percent="33.33")]

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [*thirds, split("6000", percent="33.34")]},
    )

    assert amounts(response.json()) == [("33.33", "0.00"), ("33.33", "0.00"), ("33.34", "0.00")]


def test_rounds_each_share_to_the_cent(api, make_invoice):
    rows = [{"net_amount": "100.01", "vat_rate": "0", "vat_amount": "0.00"}]
    invoice = make_invoice(
        **HUNDRED
        | {
            "net_amount": "100.01",
            "gross_amount": "100.01",
            "rows": rows,
            "vat_breakdown": [{"vat_rate": "0", "base_amount": "100.01", "vat_amount": "0.00"}],
        }
    )

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", percent="50"), split("4010", percent="50")]},
    )

    assert amounts(response.json()) == [("50.01", "0.00"), ("50.00", "0.00")]


def test_a_sum_wins_over_a_percent(api, make_invoice):
    invoice = make_invoice(**HUNDRED)

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", sum="70.00", percent="10"), split("4010", sum="30.00")]},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert amounts(body) == [("70.00", "0.00"), ("30.00", "0.00")]
    assert [(s["sum"], s["percent"]) for s in body["prebooking"]] == [
        ("70.00", None),
        ("30.00", None),
    ]


def test_splits_by_sum_net_and_vat_by_their_share_of_the_gross(api, make_invoice):
    invoice = make_invoice()  # gross 176.50

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", sum="100.00"), split("4010", sum="76.50")]},
    )

    lines = amounts(response.json())
    assert lines == [("84.99", "15.01"), ("65.01", "11.49")]


def test_refuses_percentages_that_do_not_total_100(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", percent="60"), split("4010", percent="30")]},
    )

    assert locs(response) == [["body", "splits"]]
    assert response.json()["detail"][0]["type"] == "percent_total"


def test_refuses_sums_that_do_not_total_the_gross(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", sum="100.00"), split("4010", sum="76.49")]},
    )

    assert locs(response) == [["body", "splits"]]
    assert not PrebookingSplit.objects.exists()


def test_refuses_a_mix_of_sums_and_percentages(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", sum="100.00"), split("4010", percent="50")]},
    )

    assert response.json()["detail"][0]["type"] == "mixed_split_kinds"


def test_refuses_a_sales_vat_code(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", percent="100", vat_code="SALES24")]},
    )

    assert locs(response) == [["body", "splits", 0, "vat_code"]]
    assert response.json()["detail"][0]["type"] == "sales_vat_code"


def test_refuses_a_reverse_charge_code_where_the_invoice_charges_vat(api, make_invoice):
    invoice = make_invoice()  # 150.00 net and 26.50 VAT charged

    response = api.put(
        f"/invoices/{invoice.id}/prebooking",
        {"splits": [split("4000", percent="100", vat_code="RC24")]},
    )

    assert locs(response) == [["body", "splits", 0, "vat_code"]]
    assert response.json()["detail"][0]["type"] == "reverse_charge_vat"
    assert not invoice.prebooking_splits.exists()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"splits": [{"account_code": "4000"}]}, ["body", "splits", 0]),
        ({"splits": [split("4000", percent="x")]}, ["body", "splits", 0, "percent"]),
        ({"splits": [split("4000", percent="101")]}, ["body", "splits", 0, "percent"]),
        ({"splits": [split("4000", percent="100", extra="1")]}, ["body", "splits", 0, "extra"]),
        ({"splits": [split("", percent="100")]}, ["body", "splits", 0, "account_code"]),
        ({"splits": [split("9999", percent="100")]}, ["body", "splits", 0, "account_code"]),
        ({"splits": []}, ["body", "splits"]),
    ],
)
def test_refuses_bad_splits_with_their_location(api, make_invoice, body, loc):
    invoice = make_invoice()

    assert loc in locs(api.put(f"/invoices/{invoice.id}/prebooking", body))


def test_refuses_prebooking_after_booking(api, exported_invoice):
    api.post(
        f"/invoices/{exported_invoice.id}/booked",
        {"document_id": "V-1", "booking_date": "2026-11-20"},
    )

    response = api.put(
        f"/invoices/{exported_invoice.id}/prebooking", {"splits": [split("4000", percent="100")]}
    )

    assert (response.status_code, response.json()["code"]) == (409, "coding_not_editable")


def test_manual_posting_lines_replace_the_prebooking(api, make_invoice):
    invoice = make_invoice()
    api.put(f"/invoices/{invoice.id}/prebooking", {"splits": [split("4000", percent="100")]})

    body = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {"lines": [{"account_code": "6000", "net_amount": "150.00", "vat_amount": "26.50"}]},
    ).json()

    assert body["prebooking"] == []
    assert api.get(f"/invoices/{invoice.id}/prebooking").json()["prebooking"] == []
    assert PostingLine.objects.get(invoice=invoice).source == "manual"
