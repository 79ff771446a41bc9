"""/payment-methods: bank accounts are checked IBANs, stored compact."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import PaymentMethod

IBAN = "EE382200221020145685"


@pytest.fixture
def bank(api) -> dict:
    response = api.post("/payment-methods", {"code": "BANK", "name": "Bank", "bank_account": IBAN})
    assert response.status_code == 201, response.content
    return response.json()


def _snapshot() -> tuple[list, int]:
    return list(PaymentMethod.objects.order_by("pk").values()), Event.objects.count()


def test_bank_account_is_stored_compact(api):
    payload = {"code": "BANK", "name": "Bank", "bank_account": "ee38 2200 2210 2014 5685"}
    body = api.post("/payment-methods", payload).json()
    assert body["bank_account"] == IBAN
    assert PaymentMethod.objects.get().bank_account == IBAN


def test_invalid_iban_is_422_at_bank_account_and_stores_nothing(api):
    payload = {"code": "BANK", "name": "Bank", "bank_account": "EE382200221020145686"}
    response = api.post("/payment-methods", payload)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "bank_account"], "invalid_iban")
    assert _snapshot() == ([], 0)


def test_patch_to_an_invalid_iban_is_422_and_changes_nothing(api, bank):
    before = _snapshot()
    response = api.patch("/payment-methods/BANK", {"bank_account": "FI00 1234"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "bank_account"]
    assert _snapshot() == before


def test_a_method_without_bank_account_is_allowed(api):
    body = api.post("/payment-methods", {"code": "CARD", "name": "Company card"}).json()
    assert body["bank_account"] == ""


def test_patch_with_an_empty_bank_account_removes_it(api, bank):
    assert api.patch("/payment-methods/BANK", {"bank_account": ""}).json()["bank_account"] == ""


def test_upsert_with_the_iban_written_with_spaces_is_unchanged(api, bank):
    payload = {"name": "Bank", "bank_account": "EE38 2200 2210 2014 5685"}
    response = api.put("/payment-methods/by-code/BANK", payload)
    assert response.status_code == 200
    assert response.json() == bank
    assert not Event.objects.filter(type="payment_method.updated").exists()
