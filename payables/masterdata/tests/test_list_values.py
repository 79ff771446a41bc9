"""upsert_list_values: a list field's values added or changed by code, the others kept."""

from __future__ import annotations

from datetime import date

import pytest

from payables.errors import FieldError, ValidationFailed
from payables.events.models import Event
from payables.masterdata.models import CustomField, CustomFieldValue
from payables.masterdata.services import create_custom_field, upsert_list_values
from payables.tenancy.actors import Actor


@pytest.fixture
def contract(actor: Actor) -> CustomField:
    return create_custom_field(
        {
            "code": "contract",
            "name": "Contract",
            "type": "list",
            "is_required": False,
            "is_active": True,
            "values": [
                {"code": "C-1", "description": "Cleaning", "valid_to": date(2026, 12, 31)},
                {"code": "C-2", "description": "Security"},
            ],
        },
        actor=actor,
    )


def _values(field: CustomField) -> dict[str, tuple]:
    return {
        v.code: (v.description, v.valid_from, v.valid_to)
        for v in CustomFieldValue.objects.filter(field=field)
    }


def test_a_new_value_is_added_and_the_others_keep_their_rows(contract, actor):
    kept = set(CustomFieldValue.objects.values_list("pk", flat=True))
    upsert_list_values(
        contract, [{"code": "C-3", "description": "Catering", "valid_from": date(2027, 1, 1)}],
        actor=actor,
    )  # fmt: skip
    assert _values(contract) == {
        "C-1": ("Cleaning", None, date(2026, 12, 31)),
        "C-2": ("Security", None, None),
        "C-3": ("Catering", date(2027, 1, 1), None),
    }
    assert kept <= set(CustomFieldValue.objects.values_list("pk", flat=True))
    assert Event.objects.filter(type="custom_field.updated").count() == 1


def test_a_given_value_replaces_the_stored_one_with_defaults_for_what_it_leaves_out(
    contract, actor
):
    upsert_list_values(contract, [{"code": "C-1", "description": "Cleaning 2027"}], actor=actor)
    assert _values(contract)["C-1"] == ("Cleaning 2027", None, None)
    assert _values(contract)["C-2"] == ("Security", None, None)


def test_values_equal_to_the_stored_ones_write_nothing(contract, actor):
    upsert_list_values(contract, [{"code": "C-2", "description": "Security"}], actor=actor)
    assert not Event.objects.filter(type="custom_field.updated").exists()


def test_a_bad_period_is_refused_at_its_place_in_the_values_given(contract, actor):
    values = [
        {"code": "C-3", "description": "Catering"},
        {"code": "C-4", "valid_from": date(2027, 2, 1), "valid_to": date(2027, 1, 1)},
    ]
    with pytest.raises(ValidationFailed) as refused:
        upsert_list_values(contract, values, actor=actor)
    assert [e.loc for e in refused.value.errors] == [("values", 1, "valid_to")]
    assert set(_values(contract)) == {"C-1", "C-2"}


def test_a_field_that_is_not_a_list_takes_no_values(actor):
    field = create_custom_field(
        {"code": "note", "name": "Note", "type": "text", "is_required": False, "is_active": True},
        actor=actor,
    )
    with pytest.raises((FieldError, ValidationFailed)) as refused:
        upsert_list_values(field, [{"code": "X"}], actor=actor)
    errors = getattr(refused.value, "errors", [refused.value])
    assert [(e.loc, e.code) for e in errors] == [(("values",), "values_not_allowed")]
