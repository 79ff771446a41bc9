"""Company user endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from payables.masterdata.queries import filter_records, get_user, users
from payables.masterdata.schemas import (
    Code,
    RecordFilters,
    UserFields,
    UserIn,
    UserOut,
    UserPatch,
)
from payables.masterdata.services import (
    create_user,
    deactivate_user,
    invite_user,
    update_user,
    upsert_user,
)
from payables.schema_types import Page, paginate
from payables.tenancy.auth import scoped

router = Router(tags=["users"])
read = scoped("masterdata:read")
write = scoped("masterdata:write")


@router.post("", response={201: UserOut}, auth=write)
def create(request: HttpRequest, payload: UserIn) -> Status[object]:
    """Create a user (`code`: the HR/ERP id); with `invite`, e-mail them a set-password link.

    Passwords are never part of the API: people choose their own through the link.
    """
    user = create_user(
        payload.model_dump(exclude={"invite"}), actor=request.actor, invite=payload.invite
    )
    return Status(201, user)


@router.get("", response=Page[UserOut], auth=read)
def list_users(request: HttpRequest, filters: Query[RecordFilters]) -> dict:
    found = filter_records(users(request.actor.company), filters)
    page, count = paginate(found, filters)
    return {"items": page, "count": count}


@router.put("/by-code/{code}", response={200: UserOut, 201: UserOut}, auth=write)
def upsert(request: HttpRequest, code: Code, payload: UserFields) -> Status[object]:
    """Create (201) or replace (200) the user with this code.

    Data equal to what is stored is answered 200 without a write or an event.
    """
    result = upsert_user(code, payload.model_dump(), actor=request.actor)
    return Status(201 if result.outcome == "created" else 200, result.record)


@router.get("/{ref}", response=UserOut, auth=read)
def get(request: HttpRequest, ref: str) -> object:
    """Get a user by its UUID or its code."""
    return get_user(request.actor.company, ref)


@router.patch("/{ref}", response=UserOut, auth=write)
def update(request: HttpRequest, ref: str, payload: UserPatch) -> object:
    """Change the fields sent. `coding_accounts` and `coding_dimensions` (what the person
    may code to as an approver) replace the stored ones whole; every code must exist (422
    at e.g. `["body", "coding_dimensions", "department", 0]`)."""
    user = get_user(request.actor.company, ref)
    return update_user(user, payload.model_dump(exclude_unset=True), actor=request.actor)


@router.post("/{ref}/deactivate", response=UserOut, auth=write)
def deactivate(request: HttpRequest, ref: str) -> object:
    return deactivate_user(get_user(request.actor.company, ref), actor=request.actor)


@router.post("/{ref}/invite", response=UserOut, auth=write)
def invite(request: HttpRequest, ref: str) -> object:
    """E-mail the user a link to set their web sign-in password (a fresh one when asked again).

    The link works once, for `PAYABLES_PASSWORD_LINK_HOURS`; a password the user has keeps
    working until they use it. 409 `user_inactive` or `no_email_address` when it cannot go.
    """
    return invite_user(get_user(request.actor.company, ref), actor=request.actor)
