"""Decimals are stored exactly on every database, or refused with a 422, never a 500.

SQLite keeps a decimal as a REAL (15 significant digits): a longer value came back
rounded, or, rounded up past its column's digits, not at all (a 500 on reading it).
Found by the Schemathesis run (`make fuzz`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables.invoices.models import Invoice
from payables.tenancy.models import CompanyUser

USER = {"name": "Mari Maasikas", "email": "mari@example.com"}


@pytest.mark.parametrize("limit", ["999999999999999.9", "1234567890123.4567", 99999999999999.99])
def test_an_amount_of_more_than_15_significant_digits_is_refused(api, limit):
    response = api.put("/users/by-code/E-42", USER | {"approval_limit_amount": limit})
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "approval_limit_amount"]
    assert error["type"] == "decimal_max_significant_digits"
    assert not CompanyUser.objects.filter(code="E-42").exists()


@pytest.mark.parametrize("limit", ["999999999999999", "9999999999999.99", "100000000000000.0000"])
def test_an_amount_of_15_significant_digits_is_kept_exactly(api, limit):
    response = api.put("/users/by-code/E-42", USER | {"approval_limit_amount": limit})
    assert response.status_code == 201, response.content
    member = CompanyUser.objects.get(code="E-42")
    assert member.approval_limit_amount == Decimal(limit)
    answer = api.get(f"/users/{member.id}").json()
    assert Decimal(answer["approval_limit_amount"]) == Decimal(limit)


def test_a_patch_with_too_many_digits_is_refused_and_changes_nothing(api):
    created = api.post("/users", USER | {"code": "E-42", "approval_limit_amount": "5000"}).json()
    response = api.patch(f"/users/{created['id']}", {"approval_limit_amount": 999999999999999.9})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["type"] == "decimal_max_significant_digits"
    assert api.get(f"/users/{created['id']}").json()["approval_limit_amount"] == "5000.00"


def test_a_currency_rate_that_takes_the_home_amounts_past_storage_is_refused(api, invoice_payload):
    big = "900000000000000"  # in USD, fine; times 100 in EUR, 17 digits
    payload = invoice_payload(
        currency="USD",
        currency_rate="100",
        net_amount=big,
        vat_amount="0",
        gross_amount=big,
        rows=[{"description": "Ship", "net_amount": big}],
        vat_breakdown=[{"vat_rate": "0", "base_amount": big, "vat_amount": "0"}],
    )
    response = api.post("/invoices", payload)
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "currency_rate"]
    assert error["type"] == "home_amount_too_large"
    assert not Invoice.objects.exists()

    payload["currency_rate"] = "0.01"  # 9,000,000,000,000 EUR: stored exactly
    response = api.post("/invoices", payload)
    assert response.status_code == 201, response.content
    assert response.json()["home_gross_amount"] == "9000000000000.00"


def test_a_company_rate_that_takes_the_home_amounts_past_storage_is_refused(api, invoice_payload):
    rates = [{"currency": "USD", "date": "2026-10-29", "rate": "100"}]
    assert api.put("/currency-rates", {"rates": rates}).status_code == 200
    big = "900000000000000"
    payload = invoice_payload(
        currency="USD",
        invoice_date="2026-10-30",
        net_amount=big,
        vat_amount="0",
        gross_amount=big,
        rows=[{"description": "Ship", "net_amount": big}],
        vat_breakdown=[{"vat_rate": "0", "base_amount": big, "vat_amount": "0"}],
    )
    response = api.post("/invoices", payload)
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "currency_rate"], "home_amount_too_large")
    assert not Invoice.objects.exists()
