"""/accounts: the chart of accounts and its default VAT codes, named by code."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import Account, VatCode

ACCOUNT = {"code": "4000", "name": "Materials", "type": "expense", "default_vat_code": "VAT24"}


@pytest.fixture
def vat24(api) -> dict:
    return api.post("/vat-codes", {"code": "VAT24", "rate": "24"}).json()


@pytest.fixture
def account(api, vat24) -> dict:
    response = api.post("/accounts", ACCOUNT)
    assert response.status_code == 201, response.content
    return response.json()


def _nothing_changed(before: list) -> bool:
    return list(Account.objects.order_by("pk").values()) == before


def test_default_vat_code_is_stored_as_the_companys_vat_code(account, company):
    stored = Account.objects.get(pk=account["id"])
    assert stored.default_vat_code == VatCode.objects.get(company=company, code="VAT24")


def test_unknown_default_vat_code_is_422_at_the_field_and_stores_nothing(api):
    response = api.post("/accounts", ACCOUNT)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "default_vat_code"], "unknown_code")
    assert "VAT24" in error["msg"]
    assert not Account.objects.exists()
    assert not Event.objects.exists()


def test_another_companys_vat_code_is_unknown(api, other_api):
    other_api.post("/vat-codes", {"code": "VAT24", "rate": "24"})
    response = api.post("/accounts", ACCOUNT)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "default_vat_code"]


def test_an_inactive_vat_code_may_still_be_named(api, vat24):
    """Invoices check activity when they use a code; master data only needs it to exist."""
    api.post("/vat-codes/VAT24/deactivate")
    assert api.post("/accounts", ACCOUNT).status_code == 201


def test_patch_to_an_unknown_vat_code_is_422_and_changes_nothing(api, account):
    before = list(Account.objects.order_by("pk").values())
    response = api.patch("/accounts/4000", {"default_vat_code": "VAT0"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "default_vat_code"]
    assert _nothing_changed(before)


def test_patch_with_null_clears_the_default_vat_code(api, account):
    response = api.patch("/accounts/4000", {"default_vat_code": None})
    assert response.json()["default_vat_code"] is None
    assert Account.objects.get(pk=account["id"]).default_vat_code is None


def test_upsert_resets_fields_left_out_to_their_defaults(api, account):
    response = api.put("/accounts/by-code/4000", {"name": "Materials"})
    assert response.status_code == 200
    body = response.json()
    assert (body["type"], body["default_vat_code"]) == ("expense", None)


def test_upsert_of_another_type_changes_it(api, account):
    response = api.put("/accounts/by-code/4000", {"name": "Materials", "type": "asset"})
    assert response.json()["type"] == "asset"


def test_unknown_account_type_is_422_at_type(api, vat24):
    response = api.post("/accounts", ACCOUNT | {"type": "expenses"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "type"]
    assert not Account.objects.exists()


def test_missing_name_is_422_at_name(api):
    response = api.post("/accounts", {"code": "4000"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_search_finds_an_account_by_name(api, account):
    api.post("/accounts", {"code": "5000", "name": "Travel"})
    found = api.get("/accounts", {"q": "mater"}).json()
    assert [a["code"] for a in found["items"]] == ["4000"]


def test_a_code_that_looks_like_a_uuid_is_still_found_by_code(api):
    code = "0b0f5c4e-7a1e-4f57-9d2c-3f0e2d1c0a99"
    created = api.post("/accounts", {"code": code, "name": "Odd"}).json()
    assert api.get(f"/accounts/{code}").json()["id"] == created["id"]


def test_patch_can_give_the_account_a_new_code(api, account):
    response = api.patch("/accounts/4000", {"code": "4010"})
    assert response.json()["code"] == "4010"
    assert api.get("/accounts/4010").json()["id"] == account["id"]
    assert api.get("/accounts/4000").status_code == 404


def test_upsert_naming_an_unknown_vat_code_is_422_and_changes_nothing(api, account):
    before = list(Account.objects.order_by("pk").values())
    response = api.put("/accounts/by-code/4000", {"name": "Materials", "default_vat_code": "X"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "default_vat_code"]
    assert _nothing_changed(before)
    assert not Event.objects.filter(type="account.updated").exists()
