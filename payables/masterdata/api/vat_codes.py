"""VAT code endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import filter_records, get_vat_code, vat_codes
from payables.masterdata.schemas import (
    Code,
    RecordFilters,
    VatCodeFields,
    VatCodeIn,
    VatCodeOut,
    VatCodePatch,
)
from payables.masterdata.services import (
    create_vat_code,
    deactivate_vat_code,
    update_vat_code,
    upsert_vat_code,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["VAT codes"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: VatCodeOut}, auth=write)
def create(request: HttpRequest, payload: VatCodeIn) -> Status[object]:
    """Create a VAT code; `valid_to` may not come before `valid_from`."""
    return Status(201, create_vat_code(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[VatCodeOut], auth=read)
def list_vat_codes(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    found = filter_records(vat_codes(request.actor.company), filters)
    page, count = paginate(found, filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: VatCodeOut, 201: VatCodeOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: VatCodeFields) -> Status[object]:
    """Create (201) or replace (200) the VAT code with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_vat_code(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=VatCodeOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get a VAT code by its UUID or its code."""
    return get_vat_code(request.actor.company, ref)


@router.patch("/{ref}", response=VatCodeOut, auth=write)
def update(request: HttpRequest, ref: str, payload: VatCodePatch) -> object:
    vat_code = get_vat_code(request.actor.company, ref)
    return update_vat_code(vat_code, payload.model_dump(exclude_unset=True), actor=request.actor)


@router.post("/{ref}/deactivate", response=VatCodeOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_vat_code(get_vat_code(request.actor.company, ref), actor=request.actor)
