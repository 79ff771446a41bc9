"""Supplier endpoints."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import filter_suppliers, get_supplier
from payables.masterdata.schemas import (
    Code,
    SupplierFields,
    SupplierFilters,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
)
from payables.masterdata.services import create_supplier, update_supplier, upsert_supplier
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["suppliers"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: SupplierOut}, auth=write)
def create(request: HttpRequest, payload: SupplierIn) -> Status[object]:
    """Create a supplier. VAT numbers, registry codes and IBANs are checked."""
    return Status(201, create_supplier(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[SupplierOut], auth=read)
def list_suppliers(request: HttpRequest, filters: Query[SupplierFilters]) -> dict:
    items, count = paginate(filter_suppliers(request.actor.company, filters), filters)
    return {"items": items, "count": count}


@router.put("/by-code/{code}", response={200: SupplierOut, 201: SupplierOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: SupplierFields) -> Status[object]:
    """Create (201) or replace (200) the supplier with this ERP code.

    Where no supplier has the ERP code yet, the one with the same registry code (and
    country), else VAT number, is taken if it has no ERP code of its own. Data equal to
    what is stored is answered 200 without a write or an event; `bank_accounts` replace
    the stored ones.
    """
    result = upsert_supplier(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{supplier_id}", response=SupplierOut, auth=read)
def get(request: HttpRequest, supplier_id: UUID) -> object:
    return get_supplier(request.actor.company, supplier_id)


@router.patch("/{supplier_id}", response=SupplierOut, auth=write)
def update(request: HttpRequest, supplier_id: UUID, payload: SupplierPatch) -> object:
    """Change the given fields; `bank_accounts`, when given, replaces the list."""
    supplier = get_supplier(request.actor.company, supplier_id)
    return update_supplier(supplier, payload.model_dump(exclude_unset=True), actor=request.actor)
