"""/items: references by code within the company, and seller mappings to suppliers."""

from __future__ import annotations

import uuid

import pytest

from payables.events.models import Event
from payables.masterdata.models import ProductItem, SellerMapping

ITEM = {
    "code": "PAPER-A4",
    "description": "Office paper A4",
    "type": "stock",
    "unit": "pcs",
    "default_account": "4000",
    "default_vat_code": "VAT24",
    "default_dimensions": {"department": "D10", "project": "P1"},
    "seller_mappings": [{"supplier_code": "S-1", "seller_code": "A4-500"}],
}


@pytest.fixture
def suppliers(api) -> dict[str, dict]:
    """Two suppliers; the first has an ERP code, the second only an id."""
    first = api.post("/suppliers", {"name": "Tarnija OÜ", "country": "EE", "erp_code": "S-1"})
    second = api.post("/suppliers", {"name": "Toimittaja Oy", "country": "FI"})
    return {"S-1": first.json(), "plain": second.json()}


@pytest.fixture
def references(api, suppliers) -> None:
    for path, payload in (
        ("/vat-codes", {"code": "VAT24", "rate": "24"}),
        ("/accounts", {"code": "4000", "name": "Materials"}),
        ("/dimension-types/department/values", {"code": "D10", "name": "Sales"}),
        ("/dimension-types/project/values", {"code": "P1", "name": "Warehouse"}),
    ):
        assert api.post(path, payload).status_code == 201


@pytest.fixture
def item(api, references) -> dict:
    response = api.post("/items", ITEM)
    assert response.status_code == 201, response.content
    return response.json()


def _snapshot() -> tuple[list, list, int]:
    return (
        list(ProductItem.objects.order_by("pk").values()),
        list(SellerMapping.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def _locs(response: object) -> list[list]:
    return [e["loc"] for e in response.json()["detail"]]


# --- references ----------------------------------------------------------------------------


def test_item_stores_its_references_as_the_companys_records(item, company):
    stored = ProductItem.objects.get(pk=item["id"])
    assert (stored.default_account.code, stored.default_account.company) == ("4000", company)
    assert (stored.default_vat_code.code, stored.default_vat_code.company) == ("VAT24", company)
    assert stored.default_dimensions == {"department": "D10", "project": "P1"}


def test_every_unknown_code_is_named_in_one_answer_and_nothing_is_stored(api, suppliers):
    before = _snapshot()
    response = api.post(
        "/items", ITEM | {"seller_mappings": [{"supplier_code": "S-9", "seller_code": "X"}]}
    )
    assert response.status_code == 422
    assert sorted(_locs(response)) == sorted(
        [
            ["body", "default_account"],
            ["body", "default_vat_code"],
            ["body", "default_dimensions", "department"],
            ["body", "default_dimensions", "project"],
            ["body", "seller_mappings", 0, "supplier_code"],
        ]
    )
    assert _snapshot() == before


def test_a_dimension_value_of_another_type_is_unknown(api, references):
    response = api.post("/items", ITEM | {"default_dimensions": {"department": "P1"}})
    assert response.status_code == 422
    assert _locs(response) == [["body", "default_dimensions", "department"]]


def test_another_companys_account_is_unknown(api, other_api, suppliers):
    other_api.post("/accounts", {"code": "4000", "name": "Theirs"})
    response = api.post("/items", {"code": "X", "description": "X", "default_account": "4000"})
    assert response.status_code == 422
    assert _locs(response) == [["body", "default_account"]]


def test_patch_to_an_unknown_account_is_422_and_changes_nothing(api, item):
    before = _snapshot()
    response = api.patch("/items/PAPER-A4", {"default_account": "9999"})
    assert _locs(response) == [["body", "default_account"]]
    assert _snapshot() == before


# --- seller mappings -----------------------------------------------------------------------


def test_mapping_answer_names_the_supplier_by_id_and_erp_code(item, suppliers):
    assert item["seller_mappings"] == [
        {"supplier_id": suppliers["S-1"]["id"], "supplier_code": "S-1", "seller_code": "A4-500"}
    ]


def test_mapping_can_name_the_supplier_by_id(api, references, suppliers):
    mapping = {"supplier_id": suppliers["plain"]["id"], "seller_code": "P-1"}
    body = api.post("/items", ITEM | {"seller_mappings": [mapping]}).json()
    assert body["seller_mappings"] == [mapping | {"supplier_code": None}]


def test_another_companys_supplier_is_unknown(api, other_api, references):
    theirs = other_api.post("/suppliers", {"name": "Theirs", "country": "FI"}).json()
    mapping = {"supplier_id": theirs["id"], "seller_code": "P-1"}
    response = api.post("/items", ITEM | {"seller_mappings": [mapping]})
    assert response.status_code == 422
    assert _locs(response) == [["body", "seller_mappings", 0, "supplier_id"]]
    assert not ProductItem.objects.exists()


def test_mapping_without_a_supplier_is_422_at_the_mapping(api, references):
    response = api.post("/items", ITEM | {"seller_mappings": [{"seller_code": "Z"}]})
    assert _locs(response) == [["body", "seller_mappings", 0]]
    assert not ProductItem.objects.exists()


def test_mapping_naming_the_supplier_twice_is_422_at_the_mapping(api, references, suppliers):
    mapping = {"supplier_id": suppliers["S-1"]["id"], "supplier_code": "S-1", "seller_code": "Z"}
    response = api.post("/items", ITEM | {"seller_mappings": [mapping]})
    assert _locs(response) == [["body", "seller_mappings", 0]]
    assert not ProductItem.objects.exists()


def test_the_same_mapping_twice_is_422_at_the_second(api, references, suppliers):
    twice = [{"supplier_code": "S-1", "seller_code": "A"}] * 2
    response = api.post("/items", ITEM | {"seller_mappings": twice})
    assert _locs(response) == [["body", "seller_mappings", 1, "seller_code"]]
    assert not ProductItem.objects.exists()


def test_a_seller_code_mapped_to_another_item_is_409_and_stores_nothing(api, item):
    before = _snapshot()
    response = api.post("/items", ITEM | {"code": "PAPER-2"})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["existing_id"]) == ("duplicate_seller_mapping", item["id"])
    assert _snapshot() == before


def test_the_same_seller_code_of_another_supplier_is_another_mapping(api, item, suppliers):
    mapping = {"supplier_id": suppliers["plain"]["id"], "seller_code": "A4-500"}
    response = api.post("/items", ITEM | {"code": "PAPER-2", "seller_mappings": [mapping]})
    assert response.status_code == 201
    assert SellerMapping.objects.count() == 2


def test_upsert_with_other_mappings_replaces_them(api, item, suppliers):
    fields = {k: v for k, v in ITEM.items() if k != "code"}
    mapping = {"supplier_id": suppliers["plain"]["id"], "seller_code": "B-1"}
    response = api.put("/items/by-code/PAPER-A4", fields | {"seller_mappings": [mapping]})
    assert response.status_code == 200
    assert list(SellerMapping.objects.values_list("supplier_id", "seller_code")) == [
        (uuid.UUID(suppliers["plain"]["id"]), "B-1")
    ]
    assert (
        Event.objects.get(type="item.updated").payload["seller_mappings"][0]["seller_code"] == "B-1"
    )


def test_upsert_naming_the_same_supplier_by_id_is_unchanged(api, item, suppliers):
    fields = {k: v for k, v in ITEM.items() if k != "code"}
    mapping = {"supplier_id": suppliers["S-1"]["id"], "seller_code": "A4-500"}
    response = api.put("/items/by-code/PAPER-A4", fields | {"seller_mappings": [mapping]})
    assert response.status_code == 200
    assert response.json() == item
    assert not Event.objects.filter(type="item.updated").exists()


def test_upsert_without_mappings_removes_them(api, item):
    response = api.put("/items/by-code/PAPER-A4", {"description": "Office paper A4"})
    assert response.json()["seller_mappings"] == []
    assert not SellerMapping.objects.exists()


def test_patch_without_mappings_keeps_them(api, item):
    response = api.patch("/items/PAPER-A4", {"unit": "box"})
    assert response.json()["seller_mappings"] == item["seller_mappings"]
    assert SellerMapping.objects.count() == 1


def test_patch_with_an_empty_list_removes_the_mappings(api, item):
    api.patch("/items/PAPER-A4", {"seller_mappings": []})
    assert not SellerMapping.objects.exists()


def test_unknown_item_type_is_422_at_type(api, references):
    response = api.post("/items", ITEM | {"type": "goods"})
    assert _locs(response) == [["body", "type"]]


# --- a patch of the mappings: the sent list replaces the stored one, each checked as on create


@pytest.mark.parametrize("named_by", ["supplier_code", "supplier_id"])
def test_patch_mappings_naming_the_supplier_one_way_replaces_the_list(
    api, item, suppliers, named_by
):
    supplier = suppliers["S-1"]
    ref = supplier["erp_code"] if named_by == "supplier_code" else supplier["id"]
    response = api.patch(
        "/items/PAPER-A4", {"seller_mappings": [{named_by: ref, "seller_code": "A4-BOX"}]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["seller_mappings"] == [
        {"supplier_id": supplier["id"], "supplier_code": "S-1", "seller_code": "A4-BOX"}
    ]
    assert list(SellerMapping.objects.values_list("seller_code", flat=True)) == ["A4-BOX"]


def test_patch_mappings_to_a_supplier_without_erp_code_by_id(api, item, suppliers):
    plain = suppliers["plain"]
    mapping = {"supplier_id": plain["id"], "seller_code": "P-1"}
    response = api.patch("/items/PAPER-A4", {"seller_mappings": [mapping]})
    assert response.status_code == 200, response.json()
    assert response.json()["seller_mappings"] == [mapping | {"supplier_code": None}]


@pytest.mark.parametrize(
    ("mapping", "loc", "error_type"),
    [
        ({"seller_code": "A4-BOX"}, ["body", "seller_mappings", 0], "value_error"),
        (
            {"supplier_code": "S-1", "supplier_id": str(uuid.uuid4()), "seller_code": "X"},
            ["body", "seller_mappings", 0],
            "value_error",
        ),
        ({"supplier_code": "S-1"}, ["body", "seller_mappings", 0, "seller_code"], "missing"),
        (
            {"supplier_code": "S-9", "seller_code": "X"},
            ["body", "seller_mappings", 0, "supplier_code"],
            "unknown_supplier",
        ),
        (
            {"supplier_id": str(uuid.uuid4()), "seller_code": "X"},
            ["body", "seller_mappings", 0, "supplier_id"],
            "unknown_supplier",
        ),
    ],
    ids=["no_supplier", "both_suppliers", "no_seller_code", "unknown_code", "unknown_id"],
)
def test_patch_with_a_bad_mapping_is_422_as_on_create_and_changes_nothing(
    api, item, mapping, loc, error_type
):
    before = _snapshot()
    response = api.patch("/items/PAPER-A4", {"seller_mappings": [mapping]})
    assert response.status_code == 422, response.content
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [(loc, error_type)]
    assert _snapshot() == before
    created = api.post("/items", ITEM | {"code": "OTHER", "seller_mappings": [mapping]})
    assert created.status_code == 422
    assert [(e["loc"], e["type"]) for e in created.json()["detail"]] == [(loc, error_type)]
