"""Writes of custom invoice header fields and the dated values of list fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from payables.events import event_types
from payables.masterdata import queries
from payables.masterdata.models import CustomField, CustomFieldValue
from payables.masterdata.payloads import custom_field_payload
from payables.masterdata.services.checks import Problems
from payables.masterdata.services.records import (
    Changes,
    Data,
    Kind,
    Plan,
    Upserted,
    create_record,
    deactivate_record,
    update_record,
    upsert_record,
    without_code,
)
from payables.tenancy.actors import Actor

CUSTOM_FIELD = Kind(
    model=CustomField,
    details=queries.custom_fields,
    payload=custom_field_payload,
    created_event=event_types.CUSTOM_FIELD_CREATED,
    updated_event=event_types.CUSTOM_FIELD_UPDATED,
    deactivated_event=event_types.CUSTOM_FIELD_DEACTIVATED,
)
_FIELDS = ("code", "name", "type", "is_required", "is_active")
_VALUE_FIELDS = ("description", "valid_from", "valid_to")
# What a list value left out of a change holds, as on create.
_VALUE_DEFAULTS = {"description": "", "valid_from": None, "valid_to": None}


class _ListValues:
    """A list field's values, replaced as a whole; a value keeps its row while its code stays."""

    def __init__(self, values: Sequence[Mapping[str, Any]]) -> None:
        self.wanted = {v["code"]: tuple(v[name] for name in _VALUE_FIELDS) for v in values}

    def differs(self, field: CustomField) -> bool:
        return _stored(field) != self.wanted

    def write(self, field: CustomField) -> None:
        stored = {v.code: v for v in CustomFieldValue.objects.filter(field=field)}
        field.values.exclude(code__in=self.wanted).delete()
        changed = []
        for code, wanted in self.wanted.items():
            value = stored.get(code)
            if value is not None and tuple(getattr(value, n) for n in _VALUE_FIELDS) != wanted:
                for name, new in zip(_VALUE_FIELDS, wanted, strict=True):
                    setattr(value, name, new)
                changed.append(value)
        CustomFieldValue.objects.bulk_update(changed, _VALUE_FIELDS)
        CustomFieldValue.objects.bulk_create(
            CustomFieldValue(
                field=field, code=code, **dict(zip(_VALUE_FIELDS, wanted, strict=True))
            )
            for code, wanted in self.wanted.items()
            if code not in stored
        )


def create_custom_field(data: Data, *, actor: Actor) -> CustomField:
    """Create a field; only a ``list`` field has values (dicts), each with an optional period."""
    fields, values = _clean(data)
    return create_record(CUSTOM_FIELD, fields, actor=actor, related=values)


def update_custom_field(field: CustomField, patch: Changes, *, actor: Actor) -> CustomField:
    """Change the given fields; ``values``, when given, replace the stored ones.

    Each given value is checked as on create: what it leaves out takes its default (no
    description, no period), never the stored value's. A field whose type changes away
    from ``list`` loses its values.
    """
    changes = dict(patch)
    return update_record(
        CUSTOM_FIELD,
        field,
        lambda fresh: _clean({n: getattr(fresh, n) for n in _FIELDS} | changes),
        actor=actor,
    )


def upsert_list_values(
    field: CustomField, values: Sequence[Mapping[str, Any]], *, actor: Actor
) -> CustomField:
    """Add or change these values of a list field by code; its other values stay.

    For senders that sync one value (or some) at a time. Each given value is checked as on
    create, located at its place in ``values``; what it leaves out takes its default. A
    field that is not a ``list`` is refused at ``values``.
    """
    given = [dict(value) for value in values]
    named = {value.get("code") for value in given}

    def build(fresh: CustomField) -> tuple[dict, _ListValues | None]:
        kept = [
            {"code": v.code, **{name: getattr(v, name) for name in _VALUE_FIELDS}}
            for v in CustomFieldValue.objects.filter(field=fresh).order_by("code")
            if v.code not in named
        ]
        # The given values first, so a problem's index is its place in ``values``.
        return _clean({n: getattr(fresh, n) for n in _FIELDS} | {"values": given + kept})

    return update_record(CUSTOM_FIELD, field, build, actor=actor)


def upsert_custom_field(code: str, data: Data, *, actor: Actor) -> Upserted[CustomField]:
    return upsert_record(CUSTOM_FIELD, plan_custom_field(code, data), actor=actor)


def plan_custom_field(code: str, data: Data) -> Plan:
    """Check an upsert of the field with this code (``upsert_records`` writes it)."""
    fields, values = _clean(without_code(data))
    return Plan({"code": code}, fields, values)


def deactivate_custom_field(field: CustomField, *, actor: Actor) -> CustomField:
    return deactivate_record(CUSTOM_FIELD, field, actor=actor)


def _clean(values: Data) -> tuple[dict, _ListValues | None]:
    """Check the list values (None: keep the stored ones) and their periods."""
    problems = Problems()
    fields = {name: values[name] for name in _FIELDS if name in values}
    listed = values.get("values")
    if fields["type"] != CustomField.Type.LIST:
        if listed:
            problems.add(
                f"A {fields['type']} field has no list values.",
                loc=["values"],
                code="values_not_allowed",
            )
        listed = []
    if listed is not None:
        listed = [_VALUE_DEFAULTS | dict(value) for value in listed]
    seen = set()
    for index, value in enumerate(listed or ()):
        problems.period(value, loc=["values", index])
        if value["code"] in seen:
            problems.add(
                "This code is given twice.", loc=["values", index, "code"], code="duplicate"
            )
        seen.add(value["code"])
    problems.raise_any()
    return fields, (None if listed is None else _ListValues(listed))


def _stored(field: CustomField) -> dict[str, tuple]:
    """The field's values (as ``queries.custom_fields`` prefetches them, if it did)."""
    return {v.code: tuple(getattr(v, name) for name in _VALUE_FIELDS) for v in field.values.all()}
