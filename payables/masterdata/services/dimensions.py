"""Writes of dimension types and their values.

The default types (``department``, ``project``, ``cost_centre``) are created the first
time a company uses dimensions: every dimension endpoint calls
``ensure_default_dimension_types`` first, and so may anyone setting up a company.
"""

from __future__ import annotations

from django.db import transaction

from payables.errors import NotFound
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.masterdata import queries
from payables.masterdata.models import DEFAULT_DIMENSION_TYPES, DimensionType, DimensionValue
from payables.masterdata.payloads import dimension_type_payload, dimension_value_payload
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

DIMENSION_TYPE = Kind(
    model=DimensionType,
    details=queries.dimension_types,
    payload=dimension_type_payload,
    created_event=event_types.DIMENSION_TYPE_CREATED,
    updated_event=event_types.DIMENSION_TYPE_UPDATED,
    deactivated_event=event_types.DIMENSION_TYPE_DEACTIVATED,
)
DIMENSION_VALUE = Kind(
    model=DimensionValue,
    details=queries.dimension_values,
    payload=dimension_value_payload,
    created_event=event_types.DIMENSION_VALUE_CREATED,
    updated_event=event_types.DIMENSION_VALUE_UPDATED,
    deactivated_event=event_types.DIMENSION_VALUE_DEACTIVATED,
    scope=("type",),
)
_TYPE_FIELDS = ("code", "name", "is_active")
_VALUE_FIELDS = ("code", "name", "valid_from", "valid_to", "is_active")


def ensure_default_dimension_types(*, actor: Actor) -> None:
    """Create the default types the company lacks; a no-op, without a lock, once they exist.

    A default type the company renamed or deactivated still exists and is left alone.
    """
    company, wanted = actor.company, DEFAULT_DIMENSION_TYPES
    if DimensionType.objects.for_company(company).filter(code__in=wanted).count() == len(wanted):
        return
    with transaction.atomic():
        lock_company_writes(company)
        present = set(
            DimensionType.objects.for_company(company)
            .filter(code__in=wanted)
            .values_list("code", flat=True)
        )
        for code, name in wanted.items():
            if code not in present:
                create_record(DIMENSION_TYPE, {"code": code, "name": name}, actor=actor)


def create_dimension_type(data: Data, *, actor: Actor) -> DimensionType:
    return create_record(DIMENSION_TYPE, _pick(data, _TYPE_FIELDS), actor=actor)


def update_dimension_type(
    dimension_type: DimensionType, patch: Changes, *, actor: Actor
) -> DimensionType:
    changes = _pick(patch, _TYPE_FIELDS)
    return update_record(DIMENSION_TYPE, dimension_type, lambda _: (changes, None), actor=actor)


def upsert_dimension_type(code: str, data: Data, *, actor: Actor) -> Upserted[DimensionType]:
    return upsert_record(DIMENSION_TYPE, plan_dimension_type(code, data), actor=actor)


def plan_dimension_type(code: str, data: Data) -> Plan:
    """Check an upsert of the type with this code (``upsert_records`` writes it)."""
    return Plan({"code": code}, _pick(without_code(data), _TYPE_FIELDS))


def deactivate_dimension_type(dimension_type: DimensionType, *, actor: Actor) -> DimensionType:
    """Mark the type inactive; its values keep their own active flags."""
    return deactivate_record(DIMENSION_TYPE, dimension_type, actor=actor)


def create_dimension_value(
    dimension_type: DimensionType, data: Data, *, actor: Actor
) -> DimensionValue:
    """Add a value to the type; its code is unique within the type."""
    if dimension_type.company_id != actor.company.pk:  # never write into another company
        raise NotFound("Dimension type not found.", code="dimension_type_not_found")
    fields = _clean_value(data)
    return create_record(DIMENSION_VALUE, {"type": dimension_type, **fields}, actor=actor)


def update_dimension_value(
    value: DimensionValue, patch: Changes, *, actor: Actor
) -> DimensionValue:
    changes = dict(patch)
    return update_record(
        DIMENSION_VALUE,
        value,
        lambda fresh: (_clean_value(_values_of(fresh) | changes), None),
        actor=actor,
    )


def upsert_dimension_value(
    dimension_type: DimensionType, code: str, data: Data, *, actor: Actor
) -> Upserted[DimensionValue]:
    plan = plan_dimension_value(dimension_type, code, data)
    return upsert_record(DIMENSION_VALUE, plan, actor=actor)


def plan_dimension_value(dimension_type: DimensionType, code: str, data: Data) -> Plan:
    """Check an upsert of the type's value with this code (``upsert_records`` writes it)."""
    fields = _clean_value(without_code(data))
    return Plan({"type": dimension_type, "code": code}, fields)


def deactivate_dimension_value(value: DimensionValue, *, actor: Actor) -> DimensionValue:
    return deactivate_record(DIMENSION_VALUE, value, actor=actor)


def _clean_value(values: Data) -> dict:
    problems = Problems()
    problems.period(values)
    problems.raise_any()
    return _pick(values, _VALUE_FIELDS)


def _values_of(value: DimensionValue) -> dict:
    return {name: getattr(value, name) for name in _VALUE_FIELDS}


def _pick(values: Data, names: tuple[str, ...]) -> dict:
    return {name: values[name] for name in names if name in values}
