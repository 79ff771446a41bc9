"""`PUT /suppliers/by-code/{erp_code}`: the supplier upsert real-time syncs and bulk loads use.

Also: a deactivation is announced as `supplier.deactivated`, however it is made.
"""

from __future__ import annotations

from payables.events.models import Event
from payables.masterdata.models import Supplier

SUPPLIER = {
    "name": "Tarnija OÜ",
    "country": "EE",
    "registry_code": "10137319",
    "bank_accounts": [{"iban": "EE382200221020145685"}],
}


def test_an_unknown_erp_code_creates_the_supplier(api, company):
    answer = api.put("/suppliers/by-code/S-1", SUPPLIER)

    assert answer.status_code == 201
    assert (answer.json()["erp_code"], answer.json()["registry_code"]) == ("S-1", "10137319")
    event = Event.objects.get(company=company, type="supplier.created")
    assert str(event.subject_id) == answer.json()["id"]


def test_the_same_data_again_changes_nothing_and_records_no_event(api, company):
    created = api.put("/suppliers/by-code/S-1", SUPPLIER)

    again = api.put("/suppliers/by-code/S-1", SUPPLIER)

    assert again.status_code == 200
    assert again.json()["modified_at"] == created.json()["modified_at"]
    assert Event.objects.filter(company=company).count() == 1


def test_other_data_replaces_the_supplier_and_its_bank_accounts(api, company):
    api.put("/suppliers/by-code/S-1", SUPPLIER)

    answer = api.put("/suppliers/by-code/S-1", SUPPLIER | {"city": "Tartu", "bank_accounts": []})

    assert answer.status_code == 200
    assert (answer.json()["city"], answer.json()["bank_accounts"]) == ("Tartu", [])
    assert Event.objects.filter(company=company, type="supplier.updated").count() == 1


def test_deactivating_records_a_deactivated_event(api, company):
    api.put("/suppliers/by-code/S-1", SUPPLIER)

    answer = api.put("/suppliers/by-code/S-1", SUPPLIER | {"is_active": False})

    assert answer.json()["is_active"] is False
    event = Event.objects.get(company=company, type="supplier.deactivated")
    assert event.payload["is_active"] is False


def test_a_supplier_without_erp_code_is_found_by_its_registry_code_and_takes_the_code(api, company):
    created = api.post("/suppliers", SUPPLIER)

    answer = api.put("/suppliers/by-code/S-1", SUPPLIER)

    assert answer.status_code == 200
    assert answer.json()["id"] == created.json()["id"]
    assert Supplier.objects.get(company=company).erp_code == "S-1"


def test_a_supplier_is_found_by_its_vat_number_when_the_registry_code_is_not_given(api, company):
    created = api.post(
        "/suppliers", {"name": "Tarnija OÜ", "country": "EE", "vat_number": "EE100931558"}
    )

    answer = api.put(
        "/suppliers/by-code/S-1",
        {"name": "Tarnija AS", "country": "EE", "vat_number": "EE 100 931 558"},
    )

    assert answer.status_code == 200
    assert (answer.json()["id"], answer.json()["name"]) == (created.json()["id"], "Tarnija AS")


def test_the_registry_code_of_a_supplier_with_another_erp_code_is_a_409(api, company):
    api.put("/suppliers/by-code/S-1", SUPPLIER)

    answer = api.put("/suppliers/by-code/S-2", SUPPLIER)

    assert answer.status_code == 409
    assert (answer.json()["code"], answer.json()["field"]) == (
        "duplicate_supplier",
        "registry_code",
    )
    assert list(Supplier.objects.values_list("erp_code", flat=True)) == ["S-1"]


def test_a_bad_identifier_is_a_422_and_changes_nothing(api, company):
    answer = api.put("/suppliers/by-code/S-1", SUPPLIER | {"registry_code": "10137318"})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "registry_code"]
    assert not Supplier.objects.exists()
    assert not Event.objects.exists()


def test_the_same_erp_code_in_another_company_is_another_supplier(api, other_api, company):
    mine = api.put("/suppliers/by-code/S-1", SUPPLIER)

    theirs = other_api.put("/suppliers/by-code/S-1", SUPPLIER)

    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert Supplier.objects.get(company=company).name == "Tarnija OÜ"


def test_the_upsert_needs_the_write_scope(client_with):
    answer = client_with("masterdata:read").put("/suppliers/by-code/S-1", SUPPLIER)

    assert answer.status_code == 403
    assert not Supplier.objects.exists()


def test_deactivating_by_patch_records_a_deactivated_event(api, company):
    created = api.put("/suppliers/by-code/S-1", SUPPLIER).json()

    answer = api.patch(f"/suppliers/{created['id']}", {"is_active": False})

    assert answer.status_code == 200
    assert Event.objects.filter(company=company, type="supplier.deactivated").count() == 1
    assert not Event.objects.filter(company=company, type="supplier.updated").exists()
