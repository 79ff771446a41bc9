"""Payment method endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import filter_records, get_payment_method, payment_methods
from payables.masterdata.schemas import (
    Code,
    PaymentMethodFields,
    PaymentMethodIn,
    PaymentMethodOut,
    PaymentMethodPatch,
    RecordFilters,
)
from payables.masterdata.services import (
    create_payment_method,
    deactivate_payment_method,
    update_payment_method,
    upsert_payment_method,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["payment methods"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: PaymentMethodOut}, auth=write)
def create(request: HttpRequest, payload: PaymentMethodIn) -> Status[object]:
    """Create a payment method; `bank_account` must be a valid IBAN."""
    return Status(201, create_payment_method(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[PaymentMethodOut], auth=read)
def list_payment_methods(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    items, count = paginate(
        filter_records(payment_methods(request.actor.company), filters), filters
    )
    return {"items": items, "count": count}


@router.put("/by-code/{code}", response={200: PaymentMethodOut, 201: PaymentMethodOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: PaymentMethodFields) -> Status[object]:
    """Create (201) or replace (200) the payment method with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_payment_method(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=PaymentMethodOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get a payment method by its UUID or its code."""
    return get_payment_method(request.actor.company, ref)


@router.patch("/{ref}", response=PaymentMethodOut, auth=write)
def update(request: HttpRequest, ref: str, payload: PaymentMethodPatch) -> object:
    payment_method = get_payment_method(request.actor.company, ref)
    return update_payment_method(
        payment_method, payload.model_dump(exclude_unset=True), actor=request.actor
    )


@router.post("/{ref}/deactivate", response=PaymentMethodOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_payment_method(
        get_payment_method(request.actor.company, ref), actor=request.actor
    )
