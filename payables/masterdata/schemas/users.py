"""Shapes of company user requests and answers. Password data never appears here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.schemas.records import Code, Name, RequestId
from payables.money import format_amount
from payables.schema_types import Flag, InSchema, Money
from payables.tenancy.models import CompanyUser

Role = Literal["approver", "accountant", "admin"]
CodingAccounts = Annotated[
    list[Code],
    Field(
        max_length=1000,
        description=("Account codes this person may code to when approvers may code; empty: any."),
    ),
]
CodingDimensions = Annotated[
    dict[Code, Annotated[list[Code], Field(max_length=1000)]],
    Field(
        max_length=100,
        description=(
            "Per dimension type code, the value codes this person may code to; a type "
            "not named: any value."
        ),
    ),
]


class UserFields(InSchema):
    """A user as ``PUT /users/by-code/{code}`` takes it; the code is the HR/ERP id."""

    name: Name
    email: str = Field("", max_length=254)
    roles: list[Role] = Field(default_factory=list, max_length=3)
    can_be_last_approver: Flag = False
    approval_limit_amount: Money | None = Field(
        None, description="In the company's home currency; null: no limit."
    )
    is_active: Flag = True
    coding_accounts: CodingAccounts = Field(default_factory=list)
    coding_dimensions: CodingDimensions = Field(default_factory=dict)


class UserIn(UserFields):
    code: Code
    request_id: RequestId = None
    invite: Flag = Field(
        default=False,
        description=(
            "E-mail the user a link to set their web sign-in password (needs `email`); "
            "`POST /users/{ref}/invite` sends one later, or again."
        ),
    )


class UserPatch(InSchema):
    code: Code = None
    name: Name = None
    email: str = Field(None, max_length=254)
    roles: list[Role] = Field(None, max_length=3)
    can_be_last_approver: Flag = None
    approval_limit_amount: Money | None = None
    is_active: Flag = None
    coding_accounts: CodingAccounts = None
    coding_dimensions: CodingDimensions = None


class UserOut(Schema):
    id: UUID
    code: str
    name: str
    email: str
    roles: list[str]
    can_be_last_approver: bool
    approval_limit_amount: str | None
    is_active: bool
    coding_accounts: list[str]
    coding_dimensions: dict[str, list[str]]
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_approval_limit_amount(obj: CompanyUser) -> str | None:
        if obj.approval_limit_amount is None:
            return None
        return format_amount(obj.approval_limit_amount, obj.company.home_currency)
