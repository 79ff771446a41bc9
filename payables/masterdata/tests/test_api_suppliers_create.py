"""POST /suppliers and GET /suppliers/{id}: round trips, checked identifiers, duplicates."""

from __future__ import annotations

import uuid

import pytest

from payables.events.models import Event
from payables.masterdata.models import Supplier, SupplierBankAccount

FULL = {
    "name": "Tallinna Kontoritarbed AS",
    "country": "EE",
    "registry_code": "10137319",
    "vat_number": "EE100931558",
    "street": "Pärnu mnt 10",
    "postal_code": "10148",
    "city": "Tallinn",
    "erp_code": "S-0042",
    "default_currency": "EUR",
    "is_active": True,
    "bank_accounts": [
        {"iban": "EE382200221020145685", "bic": "HABAEE2X"},
        {"iban": "FI2112345600000785", "bic": "NDEAFIHH"},
    ],
}


def supplier_payload(**overrides: object) -> dict:
    return {**FULL, **overrides}


def _nothing_stored() -> bool:
    return not (
        Supplier.objects.exists() or SupplierBankAccount.objects.exists() or Event.objects.exists()
    )


# --- round trips ---------------------------------------------------------------------------


def test_create_answers_201_with_every_field(api):
    response = api.post("/suppliers", FULL)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in FULL} == FULL
    assert uuid.UUID(body["id"])
    assert body["created_at"]
    assert body["modified_at"]


def test_created_supplier_reads_back_the_same(api):
    created = api.post("/suppliers", FULL).json()
    response = api.get(f"/suppliers/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_create_stores_every_field(api, company):
    body = api.post("/suppliers", FULL).json()
    supplier = Supplier.objects.get(pk=body["id"])
    assert supplier.company == company
    assert {k: getattr(supplier, k) for k in FULL if k != "bank_accounts"} == {
        k: v for k, v in FULL.items() if k != "bank_accounts"
    }
    assert list(supplier.bank_accounts.values_list("iban", "bic", "position")) == [
        ("EE382200221020145685", "HABAEE2X", 0),
        ("FI2112345600000785", "NDEAFIHH", 1),
    ]


def test_create_with_only_name_and_country_fills_empty_defaults(api):
    body = api.post("/suppliers", {"name": "Small OÜ", "country": "EE"}).json()
    assert body["registry_code"] == body["vat_number"] == body["erp_code"] == ""
    assert body["default_currency"] is None
    assert body["is_active"] is True
    assert body["bank_accounts"] == []


def test_create_normalises_a_vat_number_without_country_prefix(api):
    body = api.post("/suppliers", supplier_payload(vat_number="100931558")).json()
    assert body["vat_number"] == "EE100931558"
    assert Supplier.objects.get().vat_number == "EE100931558"


def test_create_normalises_spaced_iban_and_lowercase_bic(api):
    payload = supplier_payload(
        bank_accounts=[{"iban": "ee38 2200 2210 2014 5685", "bic": "habaee2x"}]
    )
    body = api.post("/suppliers", payload).json()
    assert body["bank_accounts"] == [{"iban": "EE382200221020145685", "bic": "HABAEE2X"}]


def test_create_accepts_a_lowercase_country(api):
    response = api.post("/suppliers", supplier_payload(country="ee"))
    assert response.status_code == 201
    assert response.json()["country"] == "EE"


def test_create_accepts_a_finnish_supplier(api):
    payload = {
        "name": "Other Oy",
        "country": "FI",
        "registry_code": "2077474-0",
        "vat_number": "FI20774740",
        "bank_accounts": [{"iban": "FI2112345600000785"}],
    }
    response = api.post("/suppliers", payload)
    assert response.status_code == 201, response.content
    assert response.json()["bank_accounts"] == [{"iban": "FI2112345600000785", "bic": ""}]


def test_create_records_a_supplier_created_event(api):
    body = api.post("/suppliers", FULL).json()
    event = Event.objects.get()
    assert event.type == "supplier.created"
    assert (event.subject_type, str(event.subject_id)) == ("supplier", body["id"])
    assert event.payload["vat_number"] == "EE100931558"
    assert event.payload["erp_code"] == "S-0042"
    assert event.actor.startswith("integrator:ERP")


def test_unknown_supplier_is_404(api):
    response = api.get(f"/suppliers/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["code"] == "supplier_not_found"


def test_supplier_id_that_is_not_a_uuid_is_422(api):
    response = api.get("/suppliers/42")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "supplier_id"]


# --- checked identifiers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "loc", "error_type"),
    [
        ({"vat_number": "EE100931559"}, ["body", "vat_number"], "invalid_vat_number"),
        ({"vat_number": "FI20774741"}, ["body", "vat_number"], "invalid_vat_number"),
        ({"registry_code": "10137318"}, ["body", "registry_code"], "invalid_registry_code"),
        (
            {"country": "FI", "registry_code": "2077474-1", "vat_number": ""},
            ["body", "registry_code"],
            "invalid_registry_code",
        ),
        (
            {"bank_accounts": [{"iban": "EE382200221020145686"}]},
            ["body", "bank_accounts", 0, "iban"],
            "invalid_iban",
        ),
        (
            {"bank_accounts": [FULL["bank_accounts"][0], {"iban": "XX12345"}]},
            ["body", "bank_accounts", 1, "iban"],
            "invalid_iban",
        ),
        (
            {"bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABA"}]},
            ["body", "bank_accounts", 0, "bic"],
            "invalid_bic",
        ),
    ],
    ids=[
        "vat-checksum",
        "vat-other-country-checksum",
        "ee-registry-checksum",
        "fi-registry-checksum",
        "iban-checksum",
        "second-iban",
        "bic",
    ],
)
def test_invalid_identifier_is_422_at_its_location_and_nothing_is_stored(
    api, overrides, loc, error_type
):
    response = api.post("/suppliers", supplier_payload(**overrides))
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert error["type"] == error_type
    assert error["msg"]
    assert _nothing_stored()


def test_invalid_identifiers_are_reported_together(api):
    """One answer lists every bad identifier, header fields and bank accounts alike."""
    payload = supplier_payload(
        vat_number="EE100931559",
        registry_code="10137318",
        bank_accounts=[{"iban": "EE382200221020145686", "bic": "HABA"}],
    )
    response = api.post("/suppliers", payload)
    assert response.status_code == 422
    assert sorted(tuple(e["loc"]) for e in response.json()["detail"]) == [
        ("body", "bank_accounts", 0, "bic"),
        ("body", "bank_accounts", 0, "iban"),
        ("body", "registry_code"),
        ("body", "vat_number"),
    ]
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        (supplier_payload(nickname="Paper"), ["body", "nickname"]),
        (
            supplier_payload(bank_accounts=[{"iban": "EE382200221020145685", "swift": "X"}]),
            ["body", "bank_accounts", 0, "swift"],
        ),
        ({"country": "EE"}, ["body", "name"]),
        (supplier_payload(name=""), ["body", "name"]),
        (supplier_payload(country="EST"), ["body", "country"]),
        (supplier_payload(default_currency="euro"), ["body", "default_currency"]),
        (supplier_payload(is_active="sometimes"), ["body", "is_active"]),
    ],
    ids=[
        "unknown-field",
        "unknown-bank-field",
        "missing-name",
        "empty-name",
        "country",
        "currency",
        "is-active",
    ],
)
def test_malformed_payload_is_422_at_its_location_and_nothing_is_stored(api, payload, loc):
    response = api.post("/suppliers", payload)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
    assert _nothing_stored()


def test_body_that_is_not_json_is_422(api):
    response = api.post("/suppliers", raw=b"{name: 'x'")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert _nothing_stored()


# --- duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "second"),
    [
        ("registry_code", {"registry_code": "10137319", "vat_number": "", "erp_code": ""}),
        ("vat_number", {"registry_code": "", "vat_number": "EE100931558", "erp_code": ""}),
        ("vat_number", {"registry_code": "", "vat_number": "100 931 558", "erp_code": ""}),
        ("erp_code", {"registry_code": "", "vat_number": "", "erp_code": "S-0042"}),
    ],
    ids=["registry-code", "vat-number", "vat-number-other-spelling", "erp-code"],
)
def test_duplicate_identifier_in_the_same_company_is_409_naming_the_existing_supplier(
    api, field, second
):
    first = api.post("/suppliers", FULL).json()
    response = api.post("/suppliers", supplier_payload(name="Copy AS", **second))
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "duplicate_supplier"
    assert body["existing_id"] == first["id"]
    assert body["field"] == field
    assert Supplier.objects.count() == 1
    assert Event.objects.count() == 1


def test_same_identifiers_in_another_company_are_fine(api, other_api):
    first = api.post("/suppliers", FULL).json()
    response = other_api.post("/suppliers", FULL)
    assert response.status_code == 201, response.content
    assert response.json()["id"] != first["id"]
    assert Supplier.objects.count() == 2


def test_same_registry_code_in_another_country_is_fine(api):
    api.post("/suppliers", supplier_payload(vat_number="", erp_code=""))
    response = api.post(
        "/suppliers", {"name": "Latvian SIA", "country": "LV", "registry_code": "10137319"}
    )
    assert response.status_code == 201, response.content


def test_suppliers_without_identifiers_may_share_a_name(api):
    api.post("/suppliers", {"name": "Cash purchase", "country": "EE"})
    response = api.post("/suppliers", {"name": "Cash purchase", "country": "EE"})
    assert response.status_code == 201
    assert Supplier.objects.count() == 2


def test_vat_registration_in_another_country_is_accepted(api):
    """An Estonian company may be VAT-registered in Finland: the number's prefix decides."""
    response = api.post(
        "/suppliers", {"name": "Piiri OÜ", "country": "EE", "vat_number": "FI20774740"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["vat_number"] == "FI20774740"
