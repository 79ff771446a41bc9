"""/vat-codes: decimal rates and shares, kinds, and validity periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payables.events.models import Event
from payables.masterdata.models import VatCode

VAT = {"code": "VAT24", "rate": "24", "valid_from": "2024-09-01"}


@pytest.fixture
def vat_code(api) -> dict:
    response = api.post("/vat-codes", VAT)
    assert response.status_code == 201, response.content
    return response.json()


def _snapshot() -> tuple[list, int]:
    return list(VatCode.objects.order_by("pk").values()), Event.objects.count()


def test_rates_are_decimal_strings_without_trailing_zeros(api):
    body = api.post("/vat-codes", {"code": "R", "rate": 25.5, "non_deductible_share": "50.00"})
    assert (body.json()["rate"], body.json()["non_deductible_share"]) == ("25.5", "50")
    assert VatCode.objects.get().rate == Decimal("25.5")


def test_defaults_are_a_plain_purchases_code(api):
    body = api.post("/vat-codes", {"code": "VAT0", "rate": "0"}).json()
    assert (body["kind"], body["is_reverse_charge"], body["non_deductible_share"]) == (
        "purchases",
        False,
        "0",
    )
    assert (body["valid_from"], body["valid_to"], body["description"]) == (None, None, "")


@pytest.mark.parametrize(
    ("field", "value"),
    [("rate", "100.01"), ("rate", "-1"), ("rate", "24.00001"), ("non_deductible_share", "101")],
)
def test_percent_outside_0_to_100_or_too_precise_is_422_at_the_field(api, field, value):
    before = _snapshot()
    response = api.post("/vat-codes", {"code": "X", "rate": "24"} | {field: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert _snapshot() == before


def test_unknown_kind_is_422_at_kind(api):
    response = api.post("/vat-codes", VAT | {"kind": "both"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "kind"]


def test_impossible_date_is_422_at_the_field(api):
    response = api.post("/vat-codes", VAT | {"valid_to": "2026-02-30"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "valid_to"]
    assert not VatCode.objects.exists()


def test_period_ending_before_it_starts_is_422_at_valid_to_and_stores_nothing(api):
    before = _snapshot()
    response = api.post("/vat-codes", VAT | {"valid_to": "2024-08-31"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "valid_to"], "invalid_period")
    assert _snapshot() == before


def test_one_day_period_is_valid(api):
    response = api.post("/vat-codes", VAT | {"valid_to": "2024-09-01"})
    assert response.status_code == 201


def test_patch_ending_before_the_stored_start_is_422_and_changes_nothing(api, vat_code):
    before = _snapshot()
    response = api.patch("/vat-codes/VAT24", {"valid_to": "2020-01-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "valid_to"]
    assert _snapshot() == before


def test_patch_can_close_the_period(api, vat_code):
    response = api.patch("/vat-codes/VAT24", {"valid_to": "2025-12-31"})
    assert response.json()["valid_to"] == "2025-12-31"
    assert VatCode.objects.get().valid_to == date(2025, 12, 31)


def test_upsert_with_the_same_rate_written_differently_is_unchanged(api, vat_code):
    response = api.put("/vat-codes/by-code/VAT24", {"rate": "24.000", "valid_from": "2024-09-01"})
    assert response.status_code == 200
    assert response.json() == vat_code
    assert not Event.objects.filter(type="vat_code.updated").exists()


def test_reverse_charge_code_round_trips(api):
    payload = {"code": "RC", "rate": "24", "kind": "purchases", "is_reverse_charge": True}
    created = api.post("/vat-codes", payload).json()
    assert api.get("/vat-codes/RC").json()["is_reverse_charge"] is True
    assert created["is_reverse_charge"] is True


def test_search_finds_a_code_by_description(api):
    api.post("/vat-codes", {"code": "V9", "rate": "9", "description": "Books and press"})
    api.post("/vat-codes", {"code": "V24", "rate": "24", "description": "Standard"})
    found = api.get("/vat-codes", {"q": "books"}).json()
    assert [v["code"] for v in found["items"]] == ["V9"]
