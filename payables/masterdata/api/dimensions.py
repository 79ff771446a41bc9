"""Dimension type endpoints, with each type's values nested under it.

The default types (`department`, `project`, `cost_centre`) exist from the company's
first call of any of these endpoints on.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import (
    dimension_types,
    dimension_values,
    filter_records,
    get_dimension_type,
    get_dimension_value,
)
from payables.masterdata.schemas import (
    Code,
    DimensionTypeFields,
    DimensionTypeIn,
    DimensionTypeOut,
    DimensionTypePatch,
    DimensionValueFields,
    DimensionValueIn,
    DimensionValueOut,
    DimensionValuePatch,
    RecordFilters,
)
from payables.masterdata.services import (
    create_dimension_type,
    create_dimension_value,
    deactivate_dimension_type,
    deactivate_dimension_value,
    ensure_default_dimension_types,
    update_dimension_type,
    update_dimension_value,
    upsert_dimension_type,
    upsert_dimension_value,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped
from payables.tenancy.models import Company

router = Router(tags=["dimensions"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


def _company(request: HttpRequest) -> Company:
    """The caller's company, with its default dimension types in place."""
    ensure_default_dimension_types(actor=request.actor)
    return request.actor.company


# --- types ---------------------------------------------------------------------------------


@router.post("", response={201: DimensionTypeOut}, auth=write)
def create_type(request: HttpRequest, payload: DimensionTypeIn) -> Status[object]:
    _company(request)
    return Status(201, create_dimension_type(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[DimensionTypeOut], auth=read)
def list_types(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    page, count = paginate(filter_records(dimension_types(_company(request)), filters), filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: DimensionTypeOut, 201: DimensionTypeOut}, auth=write)
def upsert_type(request: HttpRequest, code: Code, payload: DimensionTypeFields) -> Status[object]:
    """Create (201) or replace (200) the type with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    _company(request)
    result = upsert_dimension_type(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=DimensionTypeOut, auth=read)
def get_type(request: HttpRequest, ref: str) -> object:
    """Get a dimension type by its UUID or its code."""
    return get_dimension_type(_company(request), ref)


@router.patch("/{ref}", response=DimensionTypeOut, auth=write)
def update_type(request: HttpRequest, ref: str, payload: DimensionTypePatch) -> object:
    dimension_type = get_dimension_type(_company(request), ref)
    return update_dimension_type(
        dimension_type, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@router.post("/{ref}/deactivate", response=DimensionTypeOut, auth=write)
def deactivate_type(request: HttpRequest, ref: str) -> object:
    """Deactivate the type; its values keep their own active flags."""
    dimension_type = get_dimension_type(_company(request), ref)
    return deactivate_dimension_type(dimension_type, actor=request.actor)


# --- values of a type ----------------------------------------------------------------------


@router.post("/{type_ref}/values", response={201: DimensionValueOut}, auth=write)
def create_value(request: HttpRequest, type_ref: str, payload: DimensionValueIn) -> Status[object]:
    """Add a value to the type; its code is unique within the type."""
    dimension_type = get_dimension_type(_company(request), type_ref)
    return Status(
        201, create_dimension_value(dimension_type, payload.model_dump(), actor=request.actor)
    )


@router.get("/{type_ref}/values", response=Page[DimensionValueOut], auth=read)
def list_values(request: HttpRequest, type_ref: str, filters: Query[RecordFilters]) -> dict:
    company = _company(request)
    values = dimension_values(company).filter(type=get_dimension_type(company, type_ref))
    page, count = paginate(filter_records(values, filters), filters)
    return {"items": page, "count": count}


@router.put(
    "/{type_ref}/values/by-code/{code}",
    response={200: DimensionValueOut, 201: DimensionValueOut},
    auth=write,
)
def upsert_value(
    request: HttpRequest, type_ref: str, code: Code, payload: DimensionValueFields
) -> Status[object]:
    """Create (201) or replace (200) the type's value with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    dimension_type = get_dimension_type(_company(request), type_ref)
    result = upsert_dimension_value(dimension_type, code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{type_ref}/values/{ref}", response=DimensionValueOut, auth=read)
def get_value(request: HttpRequest, type_ref: str, ref: str) -> object:
    """Get a value of the type by its UUID or its code."""
    return get_dimension_value(get_dimension_type(_company(request), type_ref), ref)


@router.patch("/{type_ref}/values/{ref}", response=DimensionValueOut, auth=write)
def update_value(
    request: HttpRequest, type_ref: str, ref: str, payload: DimensionValuePatch
) -> object:
    value = get_dimension_value(get_dimension_type(_company(request), type_ref), ref)
    return update_dimension_value(
        value, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@router.post("/{type_ref}/values/{ref}/deactivate", response=DimensionValueOut, auth=write)
def deactivate_value(request: HttpRequest, type_ref: str, ref: str) -> object:
    value = get_dimension_value(get_dimension_type(_company(request), type_ref), ref)
    return deactivate_dimension_value(value, actor=request.actor)
