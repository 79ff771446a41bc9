"""/custom-fields: field types, and the dated list values of list fields."""

from __future__ import annotations

import pytest

from payables.events.models import Event
from payables.masterdata.models import CustomField, CustomFieldValue

CONTRACT = {
    "code": "contract",
    "name": "Contract",
    "type": "list",
    "values": [
        {"code": "C-1", "description": "Cleaning", "valid_to": "2026-12-31"},
        {"code": "C-2", "description": "Security"},
    ],
}
FIELDS = {k: v for k, v in CONTRACT.items() if k != "code"}


@pytest.fixture
def contract(api) -> dict:
    response = api.post("/custom-fields", CONTRACT)
    assert response.status_code == 201, response.content
    return response.json()


def _snapshot() -> tuple[list, list, int]:
    return (
        list(CustomField.objects.order_by("pk").values()),
        list(CustomFieldValue.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def _locs(response: object) -> list[list]:
    return [e["loc"] for e in response.json()["detail"]]


def test_list_values_are_answered_in_code_order_with_their_periods(api):
    body = api.post("/custom-fields", CONTRACT | {"values": CONTRACT["values"][::-1]}).json()
    assert body["values"] == [
        {"code": "C-1", "description": "Cleaning", "valid_from": None, "valid_to": "2026-12-31"},
        {"code": "C-2", "description": "Security", "valid_from": None, "valid_to": None},
    ]


def test_a_text_field_is_created_without_values(api):
    body = api.post("/custom-fields", {"code": "ref", "name": "Reference"}).json()
    assert (body["type"], body["is_required"], body["values"]) == ("text", False, [])


@pytest.mark.parametrize("field_type", ["text", "number", "date"])
def test_values_on_a_field_that_is_not_a_list_are_422_at_values(api, field_type):
    response = api.post("/custom-fields", CONTRACT | {"type": field_type})
    assert response.status_code == 422
    assert _locs(response) == [["body", "values"]]
    assert _snapshot() == ([], [], 0)


def test_unknown_field_type_is_422_at_type(api):
    response = api.post("/custom-fields", CONTRACT | {"type": "money"})
    assert _locs(response) == [["body", "type"]]


def test_a_value_code_given_twice_is_422_at_the_second(api):
    values = [{"code": "C-1"}, {"code": "C-2"}, {"code": "C-1"}]
    response = api.post("/custom-fields", CONTRACT | {"values": values})
    assert _locs(response) == [["body", "values", 2, "code"]]
    assert _snapshot() == ([], [], 0)


def test_a_value_period_ending_before_it_starts_is_422_at_that_value(api):
    values = [{"code": "C-1", "valid_from": "2026-02-01", "valid_to": "2026-01-31"}]
    response = api.post("/custom-fields", CONTRACT | {"values": values})
    assert _locs(response) == [["body", "values", 0, "valid_to"]]
    assert _snapshot() == ([], [], 0)


def test_a_bad_value_date_is_422_at_that_value(api):
    response = api.post(
        "/custom-fields", CONTRACT | {"values": [{"code": "C", "valid_to": "31.12.2026"}]}
    )
    assert _locs(response) == [["body", "values", 0, "valid_to"]]


def test_upsert_with_one_changed_value_keeps_the_others_rows(api, contract):
    kept = CustomFieldValue.objects.get(code="C-2").pk
    values = [
        {"code": "C-1", "description": "Cleaning", "valid_to": "2027-12-31"},
        {"code": "C-2", "description": "Security"},
    ]
    response = api.put("/custom-fields/by-code/contract", FIELDS | {"values": values})
    assert response.status_code == 200
    assert response.json()["values"][0]["valid_to"] == "2027-12-31"
    assert CustomFieldValue.objects.get(code="C-2").pk == kept
    assert Event.objects.filter(type="custom_field.updated").count() == 1


def test_upsert_removes_the_values_left_out(api, contract):
    api.put(
        "/custom-fields/by-code/contract",
        FIELDS | {"values": [{"code": "C-2", "description": "Security"}]},
    )
    assert list(CustomFieldValue.objects.values_list("code", flat=True)) == ["C-2"]


def test_upsert_with_the_values_in_another_order_is_unchanged(api, contract):
    response = api.put(
        "/custom-fields/by-code/contract", FIELDS | {"values": FIELDS["values"][::-1]}
    )
    assert response.status_code == 200
    assert response.json() == contract
    assert not Event.objects.filter(type="custom_field.updated").exists()


def test_patch_without_values_keeps_them(api, contract):
    response = api.patch("/custom-fields/contract", {"name": "Service contract"})
    assert response.json()["values"] == contract["values"]


def test_a_field_that_stops_being_a_list_loses_its_values(api, contract):
    response = api.patch("/custom-fields/contract", {"type": "text"})
    assert response.status_code == 200
    assert response.json()["values"] == []
    assert not CustomFieldValue.objects.exists()


def test_patch_giving_values_to_a_text_field_is_422_and_changes_nothing(api):
    api.post("/custom-fields", {"code": "ref", "name": "Reference"})
    before = _snapshot()
    response = api.patch("/custom-fields/ref", {"values": [{"code": "A"}]})
    assert _locs(response) == [["body", "values"]]
    assert _snapshot() == before


def test_values_of_another_companys_field_stay_apart(api, other_api, contract):
    other_api.post("/custom-fields", CONTRACT | {"values": [{"code": "C-1"}]})
    assert [v["code"] for v in api.get("/custom-fields/contract").json()["values"]] == [
        "C-1",
        "C-2",
    ]


# --- a patch of the values: the sent list replaces the stored one, each checked as on create


def test_patch_values_replaces_the_list_and_fills_defaults_as_on_create(api, contract):
    response = api.patch("/custom-fields/contract", {"values": [{"code": "C-1"}, {"code": "C-3"}]})
    assert response.status_code == 200, response.json()
    assert response.json()["values"] == [
        {"code": "C-1", "description": "", "valid_from": None, "valid_to": None},
        {"code": "C-3", "description": "", "valid_from": None, "valid_to": None},
    ]
    assert sorted(CustomFieldValue.objects.values_list("code", "description")) == [
        ("C-1", ""),
        ("C-3", ""),
    ]


def test_patch_values_with_periods_keeps_them(api, contract):
    value = {"code": "C-2", "valid_from": "2026-01-01", "valid_to": "2026-06-30"}
    response = api.patch("/custom-fields/contract", {"values": [value]})
    assert response.status_code == 200, response.json()
    assert response.json()["values"] == [value | {"description": ""}]


@pytest.mark.parametrize(
    ("values", "loc", "error_type"),
    [
        ([{"description": "No code"}], ["body", "values", 0, "code"], "missing"),
        (
            [{"code": "C-1", "valid_from": "2026-06-30", "valid_to": "2026-01-01"}],
            ["body", "values", 0, "valid_to"],
            "invalid_period",
        ),
        ([{"code": "C-1"}, {"code": "C-1"}], ["body", "values", 1, "code"], "duplicate"),
        ([{"code": "C-1", "colour": "red"}], ["body", "values", 0, "colour"], "extra_forbidden"),
    ],
    ids=["no_code", "period_ends_before_it_starts", "code_twice", "unknown_field"],
)
def test_patch_with_a_bad_value_is_422_as_on_create_and_changes_nothing(
    api, contract, values, loc, error_type
):
    before = _snapshot()
    response = api.patch("/custom-fields/contract", {"values": values})
    assert response.status_code == 422, response.content
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [(loc, error_type)]
    assert _snapshot() == before
    created = api.post("/custom-fields", CONTRACT | {"code": "other", "values": values})
    assert [(e["loc"], e["type"]) for e in created.json()["detail"]] == [(loc, error_type)]
