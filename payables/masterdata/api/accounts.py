"""Chart of accounts endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import accounts, filter_records, get_account
from payables.masterdata.schemas import (
    AccountFields,
    AccountIn,
    AccountOut,
    AccountPatch,
    Code,
    RecordFilters,
)
from payables.masterdata.services import (
    create_account,
    deactivate_account,
    update_account,
    upsert_account,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["accounts"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: AccountOut}, auth=write)
def create(request: HttpRequest, payload: AccountIn) -> Status[object]:
    """Create an account; `default_vat_code` names one of the company's VAT codes."""
    return Status(201, create_account(payload.model_dump(), actor=request.actor))


@router.get("", response=Page[AccountOut], auth=read)
def list_accounts(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    found = filter_records(accounts(request.actor.company), filters)
    page, count = paginate(found, filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: AccountOut, 201: AccountOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: AccountFields) -> Status[object]:
    """Create (201) or replace (200) the account with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_account(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=AccountOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get an account by its UUID or its code."""
    return get_account(request.actor.company, ref)


@router.patch("/{ref}", response=AccountOut, auth=write)
def update(request: HttpRequest, ref: str, payload: AccountPatch) -> object:
    account = get_account(request.actor.company, ref)
    return update_account(account, payload.model_dump(exclude_unset=True), actor=request.actor)


@router.post("/{ref}/deactivate", response=AccountOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_account(get_account(request.actor.company, ref), actor=request.actor)
