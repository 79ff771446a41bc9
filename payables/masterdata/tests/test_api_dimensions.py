"""/dimension-types and their nested values: default types, codes unique within a type."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import DimensionType, DimensionValue
from payables.masterdata.services import ensure_default_dimension_types

DEFAULTS = {"cost_centre": "Cost centre", "department": "Department", "project": "Project"}
VALUES = "/dimension-types/department/values"


@pytest.fixture
def sales(api) -> dict:
    response = api.post(VALUES, {"code": "D10", "name": "Sales"})
    assert response.status_code == 201, response.content
    return response.json()


def _snapshot() -> tuple[list, list, int]:
    return (
        list(DimensionType.objects.order_by("pk").values()),
        list(DimensionValue.objects.order_by("pk").values()),
        Event.objects.count(),
    )


# --- default types -------------------------------------------------------------------------


def test_default_types_exist_from_the_first_call(api):
    body = api.get("/dimension-types").json()
    assert {t["code"]: t["name"] for t in body["items"]} == DEFAULTS
    assert body["count"] == 3


def test_default_types_are_created_once_with_an_event_each(api, company):
    api.get("/dimension-types")
    api.get("/dimension-types")
    events = Event.objects.filter(company=company, type="dimension_type.created")
    assert sorted(e.payload["code"] for e in events) == sorted(DEFAULTS)
    assert DimensionType.objects.filter(company=company).count() == 3


def test_a_renamed_default_type_is_left_alone(api):
    api.patch("/dimension-types/project", {"name": "Projekt"})
    api.get("/dimension-types")
    assert api.get("/dimension-types/project").json()["name"] == "Projekt"
    assert DimensionType.objects.filter(code="project").count() == 1


def test_defaults_come_first_so_creating_one_of_them_is_a_duplicate(api):
    response = api.post("/dimension-types", {"code": "project", "name": "Mine"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_code"


def test_the_service_creates_the_defaults_once(actor, company):
    ensure_default_dimension_types(actor=actor)
    ensure_default_dimension_types(actor=actor)
    types = DimensionType.objects.filter(company=company)
    assert sorted(types.values_list("code", flat=True)) == sorted(DEFAULTS)
    assert Event.objects.filter(type="dimension_type.created").count() == 3


def test_the_service_leaves_a_deactivated_default_alone(api, actor):
    api.post("/dimension-types/department/deactivate")
    before = _snapshot()
    ensure_default_dimension_types(actor=actor)
    assert _snapshot() == before
    assert DimensionType.objects.get(code="department").is_active is False


def test_each_company_gets_its_own_default_types(api, other_api, company, other_company):
    api.get("/dimension-types")
    other_api.get("/dimension-types")
    assert DimensionType.objects.filter(company=company).count() == 3
    assert DimensionType.objects.filter(company=other_company).count() == 3


# --- values --------------------------------------------------------------------------------


def test_value_answer_names_its_type(sales):
    assert (sales["type"], sales["code"], sales["name"]) == ("department", "D10", "Sales")


def test_value_is_stored_under_its_type(sales, company):
    value = DimensionValue.objects.get(pk=sales["id"])
    assert (value.type.code, value.company) == ("department", company)


def test_value_code_is_unique_within_its_type_only(api, sales):
    response = api.post("/dimension-types/project/values", {"code": "D10", "name": "Other"})
    assert response.status_code == 201, response.content
    assert DimensionValue.objects.filter(code="D10").count() == 2


def test_duplicate_value_code_in_the_same_type_is_409_and_stores_nothing(api, sales):
    before = _snapshot()
    response = api.post(VALUES, {"code": "D10", "name": "Again"})
    assert response.status_code == 409
    assert response.json()["existing_id"] == sales["id"]
    assert _snapshot() == before


def test_value_is_not_found_under_another_type(api, sales):
    response = api.get(f"/dimension-types/project/values/{sales['id']}")
    assert response.status_code == 404
    assert response.json()["code"] == "dimension_value_not_found"


def test_value_list_shows_only_the_types_values(api, sales):
    api.post("/dimension-types/project/values", {"code": "P1", "name": "Project"})
    body = api.get(VALUES).json()
    assert body == {"items": [sales], "count": 1}


def test_values_of_an_unknown_type_are_404(api):
    response = api.get("/dimension-types/region/values")
    assert response.status_code == 404
    assert response.json()["code"] == "dimension_type_not_found"


def test_adding_a_value_to_an_unknown_type_is_404_and_stores_nothing(api):
    api.get("/dimension-types")
    before = _snapshot()
    response = api.post("/dimension-types/region/values", {"code": "N", "name": "North"})
    assert response.status_code == 404
    assert _snapshot() == before


def test_values_of_a_new_type_can_be_added_by_its_uuid(api):
    region = api.post("/dimension-types", {"code": "region", "name": "Region"}).json()
    response = api.post(f"/dimension-types/{region['id']}/values", {"code": "N", "name": "North"})
    assert response.status_code == 201
    assert response.json()["type"] == "region"


def test_value_period_ending_before_it_starts_is_422_at_valid_to(api):
    api.get("/dimension-types")
    before = _snapshot()
    payload = {"code": "D1", "name": "X", "valid_from": "2026-05-01", "valid_to": "2026-04-30"}
    response = api.post(VALUES, payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "valid_to"]
    assert _snapshot() == before


def test_upsert_of_a_value_by_code_creates_then_answers_unchanged(api):
    first = api.put(f"{VALUES}/by-code/D20", {"name": "Support"})
    second = api.put(f"{VALUES}/by-code/D20", {"name": "Support"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Event.objects.filter(type="dimension_value.created").count() == 1


def test_deactivating_a_type_leaves_its_values_active(api, sales):
    api.post("/dimension-types/department/deactivate")
    assert api.get(f"{VALUES}/D10").json()["is_active"] is True


def test_value_search_finds_by_name(api, sales):
    api.post(VALUES, {"code": "D20", "name": "Support"})
    assert [v["code"] for v in api.get(VALUES, {"q": "sal"}).json()["items"]] == ["D10"]
