"""Product item endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import filter_records, get_item, items
from payables.masterdata.schemas import (
    Code,
    ItemFields,
    ItemIn,
    ItemOut,
    ItemPatch,
    RecordFilters,
)
from payables.masterdata.services import (
    create_item,
    deactivate_item,
    update_item,
    upsert_item,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["items"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: ItemOut}, auth=write)
def create(request: HttpRequest, payload: ItemIn) -> Status[object]:
    """Create an item; account, VAT code, dimensions and suppliers are named by code."""
    return Status(201, create_item(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[ItemOut], auth=read)
def list_items(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    found = filter_records(items(request.actor.company), filters)
    page, count = paginate(found, filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: ItemOut, 201: ItemOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: ItemFields) -> Status[object]:
    """Create (201) or replace (200) the item with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_item(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=ItemOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get an item by its UUID or its code."""
    return get_item(request.actor.company, ref)


@router.patch("/{ref}", response=ItemOut, auth=write)
def update(request: HttpRequest, ref: str, payload: ItemPatch) -> object:
    item = get_item(request.actor.company, ref)
    return update_item(item, payload.model_dump(exclude_unset=True), actor=request.actor)


@router.post("/{ref}/deactivate", response=ItemOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_item(get_item(request.actor.company, ref), actor=request.actor)
