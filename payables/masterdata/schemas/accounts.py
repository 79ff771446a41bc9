"""Shapes of chart-of-accounts and VAT code requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.models import Account, VatCode
from payables.masterdata.schemas.records import Code, Name, RequestId
from payables.money import format_decimal
from payables.schema_types import Flag, InSchema, IsoDate, VatRate

AccountType = Literal["expense", "asset", "liability", "equity", "revenue", "other"]
VatKind = Literal["purchases", "sales"]


class AccountFields(InSchema):
    """An account as ``PUT /accounts/by-code/{code}`` takes it: all but the code."""

    name: Name
    type: AccountType = "expense"
    default_vat_code: Code | None = Field(None, description="Code of one of the VAT codes.")
    is_active: Flag = True


class AccountIn(AccountFields):
    code: Code
    request_id: RequestId = None


class AccountPatch(InSchema):
    code: Code = None
    name: Name = None
    type: AccountType = None
    default_vat_code: Code | None = None
    is_active: Flag = None


class AccountOut(Schema):
    id: UUID
    code: str
    name: str
    type: str
    default_vat_code: str | None
    is_active: bool
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_default_vat_code(obj: Account) -> str | None:
        return obj.default_vat_code.code if obj.default_vat_code_id else None


class VatCodeFields(InSchema):
    """A VAT code as ``PUT /vat-codes/by-code/{code}`` takes it: all but the code."""

    rate: VatRate = Field(description="Percent, 0-100.")
    kind: VatKind = "purchases"
    is_reverse_charge: Flag = False
    non_deductible_share: VatRate = Field(
        Decimal(0), description="Percent of the VAT that cannot be deducted, 0-100."
    )
    description: str = Field("", max_length=500)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = Field(None, description="Last valid day; not before `valid_from`.")
    is_active: Flag = True


class VatCodeIn(VatCodeFields):
    code: Code
    request_id: RequestId = None


class VatCodePatch(InSchema):
    code: Code = None
    rate: VatRate = None
    kind: VatKind = None
    is_reverse_charge: Flag = None
    non_deductible_share: VatRate = None
    description: str = Field(None, max_length=500)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    is_active: Flag = None


class VatCodeOut(Schema):
    id: UUID
    code: str
    rate: str
    kind: str
    is_reverse_charge: bool
    non_deductible_share: str
    description: str
    valid_from: date | None
    valid_to: date | None
    is_active: bool
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_rate(obj: VatCode) -> str:
        return format_decimal(obj.rate)

    @staticmethod
    def resolve_non_deductible_share(obj: VatCode) -> str:
        return format_decimal(obj.non_deductible_share)
