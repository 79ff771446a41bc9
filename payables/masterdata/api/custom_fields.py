"""Custom invoice header field endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import custom_fields, filter_records, get_custom_field
from payables.masterdata.schemas import (
    Code,
    CustomFieldFields,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    RecordFilters,
)
from payables.masterdata.services import (
    create_custom_field,
    deactivate_custom_field,
    update_custom_field,
    upsert_custom_field,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["custom fields"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: CustomFieldOut}, auth=write)
def create(request: HttpRequest, payload: CustomFieldIn) -> Status[object]:
    """Create a field; a `list` field takes its `values`, each with an optional period."""
    return Status(201, create_custom_field(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[CustomFieldOut], auth=read)
def list_custom_fields(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    found = filter_records(custom_fields(request.actor.company), filters)
    page, count = paginate(found, filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: CustomFieldOut, 201: CustomFieldOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: CustomFieldFields) -> Status[object]:
    """Create (201) or replace (200) the custom field with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_custom_field(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=CustomFieldOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get a custom field by its UUID or its code."""
    return get_custom_field(request.actor.company, ref)


@router.patch("/{ref}", response=CustomFieldOut, auth=write)
def update(request: HttpRequest, ref: str, payload: CustomFieldPatch) -> object:
    custom_field = get_custom_field(request.actor.company, ref)
    return update_custom_field(
        custom_field, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@router.post("/{ref}/deactivate", response=CustomFieldOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_custom_field(
        get_custom_field(request.actor.company, ref), actor=request.actor
    )
