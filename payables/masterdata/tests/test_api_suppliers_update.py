"""PATCH /suppliers/{id}: what is sent changes, the rest stays; bad input changes nothing."""

from __future__ import annotations

import uuid

import pytest

from payables.events.models import Event
from payables.masterdata.models import Supplier


@pytest.fixture
def created(api) -> dict:
    """A supplier created through the API, as the API answered it."""
    response = api.post(
        "/suppliers",
        {
            "name": "Tallinna Kontoritarbed AS",
            "country": "EE",
            "registry_code": "10137319",
            "vat_number": "EE100931558",
            "street": "Pärnu mnt 10",
            "postal_code": "10148",
            "city": "Tallinn",
            "erp_code": "S-0042",
            "default_currency": "EUR",
            "bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABAEE2X"}],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def _unchanged(created: dict) -> bool:
    """The supplier as stored still matches what creation answered, and nothing was recorded."""
    supplier = Supplier.objects.get(pk=created["id"])
    fields = {k: getattr(supplier, k) for k in ("name", "country", "registry_code", "vat_number")}
    accounts = [{"iban": a.iban, "bic": a.bic} for a in supplier.bank_accounts.all()]
    return (
        fields == {k: created[k] for k in fields}
        and accounts == created["bank_accounts"]
        and not Event.objects.filter(type="supplier.updated").exists()
    )


def test_patch_changes_only_the_given_fields(api, created):
    response = api.patch(f"/suppliers/{created['id']}", {"city": "Tartu", "postal_code": "50090"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["city"], body["postal_code"]) == ("Tartu", "50090")
    unchanged = {
        k: v for k, v in created.items() if k not in {"city", "postal_code", "modified_at"}
    }
    assert {k: body[k] for k in unchanged} == unchanged


def test_patch_round_trips_through_get_and_list(api, created):
    patched = api.patch(
        f"/suppliers/{created['id']}",
        {
            "name": "Kontoritarbed AS",
            "street": "Narva mnt 5",
            "erp_code": "S-0043",
            "default_currency": "SEK",
            "bank_accounts": [{"iban": "FI2112345600000785", "bic": "NDEAFIHH"}],
        },
    ).json()
    assert api.get(f"/suppliers/{created['id']}").json() == patched
    assert api.get("/suppliers").json() == {"items": [patched], "count": 1}


def test_patch_stores_the_change(api, created):
    api.patch(f"/suppliers/{created['id']}", {"erp_code": "S-0043", "is_active": False})
    supplier = Supplier.objects.get(pk=created["id"])
    assert (supplier.erp_code, supplier.is_active) == ("S-0043", False)


def test_patch_records_a_supplier_updated_event(api, created):
    api.patch(f"/suppliers/{created['id']}", {"name": "Kontoritarbed AS"})
    event = Event.objects.get(type="supplier.updated")
    assert (event.subject_type, str(event.subject_id)) == ("supplier", created["id"])
    assert event.payload["name"] == "Kontoritarbed AS"
    assert event.sequence > Event.objects.get(type="supplier.created").sequence


def test_patch_with_bank_accounts_replaces_the_list(api, created):
    accounts = [
        {"iban": "FI2112345600000785", "bic": "NDEAFIHH"},
        {"iban": "EE382200221020145685", "bic": ""},
    ]
    body = api.patch(f"/suppliers/{created['id']}", {"bank_accounts": accounts}).json()
    assert body["bank_accounts"] == accounts
    stored = Supplier.objects.get(pk=created["id"]).bank_accounts.values_list("iban", flat=True)
    assert list(stored) == ["FI2112345600000785", "EE382200221020145685"]


def test_patch_with_a_bank_account_naming_only_its_iban_takes_no_bic(api, created):
    """Each sent account is read as on create: what it leaves out takes its default."""
    response = api.patch(
        f"/suppliers/{created['id']}", {"bank_accounts": [{"iban": "FI2112345600000785"}]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["bank_accounts"] == [{"iban": "FI2112345600000785", "bic": ""}]


def test_patch_without_bank_accounts_keeps_them(api, created):
    body = api.patch(f"/suppliers/{created['id']}", {"city": "Tartu"}).json()
    assert body["bank_accounts"] == created["bank_accounts"]


def test_patch_with_empty_bank_accounts_removes_them(api, created):
    body = api.patch(f"/suppliers/{created['id']}", {"bank_accounts": []}).json()
    assert body["bank_accounts"] == []
    assert not Supplier.objects.get(pk=created["id"]).bank_accounts.exists()


def test_patch_normalises_the_vat_number(api, created):
    api.patch(f"/suppliers/{created['id']}", {"vat_number": ""})
    body = api.patch(f"/suppliers/{created['id']}", {"vat_number": "100 931 558"}).json()
    assert body["vat_number"] == "EE100931558"


def test_patch_can_clear_an_identifier(api, created):
    body = api.patch(f"/suppliers/{created['id']}", {"erp_code": ""}).json()
    assert body["erp_code"] == ""
    assert Supplier.objects.get(pk=created["id"]).erp_code == ""


def test_patch_resending_its_own_identifiers_is_no_duplicate(api, created):
    payload = {k: created[k] for k in ("registry_code", "vat_number", "erp_code")}
    response = api.patch(f"/suppliers/{created['id']}", payload)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("payload", "loc", "error_type"),
    [
        ({"vat_number": "EE100931559"}, ["body", "vat_number"], "invalid_vat_number"),
        ({"registry_code": "10137318"}, ["body", "registry_code"], "invalid_registry_code"),
        (
            {"bank_accounts": [{"iban": "EE382200221020145686"}]},
            ["body", "bank_accounts", 0, "iban"],
            "invalid_iban",
        ),
        (
            {"bank_accounts": [{"iban": "EE382200221020145685", "bic": "HABA"}]},
            ["body", "bank_accounts", 0, "bic"],
            "invalid_bic",
        ),
        ({"nickname": "Paper"}, ["body", "nickname"], "extra_forbidden"),
        ({"name": ""}, ["body", "name"], "string_too_short"),
    ],
    ids=["vat", "registry-code", "iban", "bic", "unknown-field", "empty-name"],
)
def test_invalid_patch_is_422_at_its_location_and_changes_nothing(
    api, created, payload, loc, error_type
):
    response = api.patch(f"/suppliers/{created['id']}", payload)
    assert response.status_code == 422, response.content
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [(loc, error_type)]
    assert _unchanged(created)


def test_changing_the_country_rechecks_the_registry_code(api, created):
    """An Estonian registry code is not a valid Finnish business id."""
    response = api.patch(f"/suppliers/{created['id']}", {"country": "FI", "vat_number": ""})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "registry_code"]]
    assert _unchanged(created)


@pytest.mark.parametrize(
    ("field", "value"),
    [("registry_code", "10137319"), ("vat_number", "EE100931558"), ("erp_code", "S-0042")],
)
def test_patch_taking_another_suppliers_identifier_is_409(api, created, field, value):
    other = api.post("/suppliers", {"name": "Other AS", "country": "EE"}).json()
    response = api.patch(f"/suppliers/{other['id']}", {field: value})
    assert response.status_code == 409
    assert response.json()["existing_id"] == created["id"]
    assert response.json()["field"] == field
    assert getattr(Supplier.objects.get(pk=other["id"]), field) == ""
    assert not Event.objects.filter(type="supplier.updated").exists()


def test_patch_of_unknown_supplier_is_404(api, created):
    response = api.patch(f"/suppliers/{uuid.uuid4()}", {"city": "Tartu"})
    assert response.status_code == 404
    assert response.json()["code"] == "supplier_not_found"


def test_patch_that_changes_nothing_writes_no_event(api, supplier):
    before = Event.objects.filter(type="supplier.updated").count()
    response = api.patch(
        f"/suppliers/{supplier.id}", {"name": supplier.name, "city": supplier.city}
    )
    assert response.status_code == 200
    assert Event.objects.filter(type="supplier.updated").count() == before


def test_dimension_value_cannot_be_created_in_another_companys_type(actor, other_company):
    from payables.errors import NotFound
    from payables.masterdata.models import DimensionType, DimensionValue
    from payables.masterdata.schemas import DimensionValueIn
    from payables.masterdata.services import create_dimension_value, ensure_default_dimension_types
    from payables.tenancy.actors import Actor

    ensure_default_dimension_types(actor=Actor.system(other_company))
    foreign = DimensionType.objects.get(company=other_company, code="project")
    value = DimensionValueIn(code="X", name="X").model_dump()
    with pytest.raises(NotFound):
        create_dimension_value(foreign, value, actor=actor)
    assert not DimensionValue.objects.exists()
