"""Proportional VAT and reverse charge on posting lines."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("master_data")


def one_row(net: str, vat: str, vat_code: str, rate: str = "24") -> dict:
    gross = f"{float(net) + float(vat):.2f}"  # test data only
    return {
        "net_amount": net,
        "vat_amount": vat,
        "gross_amount": gross,
        "rows": [{"net_amount": net, "vat_rate": rate, "vat_amount": vat, "vat_code": vat_code}],
        "vat_breakdown": [{"vat_rate": rate, "base_amount": net, "vat_amount": vat}],
    }


def test_splits_vat_into_deductible_and_non_deductible(api, make_invoice):
    invoice = make_invoice(**one_row("100.00", "24.00", "VAT24HALF"))

    (line,) = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]

    assert (
        line["vat_amount"],
        line["deductible_vat_amount"],
        line["non_deductible_vat_amount"],
        line["expense_amount"],
    ) == ("24.00", "12.00", "12.00", "112.00")


def test_the_two_parts_add_up_to_the_vat_whatever_the_rounding(api, make_invoice):
    invoice = make_invoice(**one_row("0.10", "0.03", "VAT24HALF"))

    (line,) = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]

    assert (line["deductible_vat_amount"], line["non_deductible_vat_amount"]) == ("0.01", "0.02")


def test_reverse_charge_self_assesses_vat_on_a_line_charged_none(api, make_invoice):
    invoice = make_invoice(**one_row("100.00", "0.00", "RC24", rate="0"))

    (line,) = api.get(f"/invoices/{invoice.id}/posting-lines").json()["posting_lines"]

    assert (
        line["vat_amount"],
        line["reverse_charge_vat_amount"],
        line["deductible_vat_amount"],
        line["expense_amount"],
    ) == ("0.00", "24.00", "24.00", "100.00")


def test_reverse_charge_splits_the_self_assessed_vat_too(api, master_data, make_invoice):
    master_data.vat_code("RC24HALF", "24", is_reverse_charge=True, non_deductible_share="50")
    invoice = make_invoice(**one_row("100.00", "0.00", "RC24", rate="0"))

    body = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {"lines": [{"account_code": "4000", "vat_code": "RC24HALF", "net_amount": "100.00"}]},
    ).json()

    (line,) = body["posting_lines"]
    assert (
        line["reverse_charge_vat_amount"],
        line["deductible_vat_amount"],
        line["non_deductible_vat_amount"],
        line["expense_amount"],
    ) == ("24.00", "12.00", "12.00", "112.00")


def test_refuses_vat_charged_on_a_reverse_charge_line(api, make_invoice):
    invoice = make_invoice()

    response = api.put(
        f"/invoices/{invoice.id}/posting-lines",
        {
            "lines": [
                {"account_code": "4000", "vat_code": "RC24", "net_amount": "150.00",
                 "vat_amount": "26.50"},
            ]
        },
    )  # fmt: skip

    assert response.json()["detail"][0]["loc"] == ["body", "lines", 0, "vat_amount"]
