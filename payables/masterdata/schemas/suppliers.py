"""Shapes of supplier requests and answers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.masterdata.models import Supplier
from payables.schema_types import CountryCode, CurrencyCode, Flag, InSchema, PageParams, Timestamp


class BankAccountIn(InSchema):
    iban: str = Field(min_length=5, max_length=50)
    bic: str = Field("", max_length=20)


class SupplierFields(InSchema):
    """A supplier as ``PUT /suppliers/by-code/{erp_code}`` takes it: all but the ERP code."""

    name: str = Field(min_length=1, max_length=200)
    country: CountryCode
    registry_code: str = Field("", max_length=50)
    vat_number: str = Field("", max_length=50)
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    default_currency: CurrencyCode | None = None
    is_active: Flag = True
    bank_accounts: list[BankAccountIn] = Field(default_factory=list, max_length=20)


class SupplierIn(SupplierFields):
    erp_code: str = Field("", max_length=50)
    request_id: str | None = Field(
        None, max_length=255, description="Idempotency key, if not sent as a header."
    )


class SupplierPatch(InSchema):
    """Given fields change, the others stay. `bank_accounts`, when given, replace the stored
    list (`[]` removes them all); each account is checked as on create."""

    name: str | None = Field(None, min_length=1, max_length=200)
    country: CountryCode | None = None
    registry_code: str | None = Field(None, max_length=50)
    vat_number: str | None = Field(None, max_length=50)
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    erp_code: str | None = Field(None, max_length=50)
    default_currency: CurrencyCode | None = None
    is_active: Flag | None = None
    bank_accounts: list[BankAccountIn] | None = Field(
        None, max_length=20, description="Replaces the stored list; each account as on create."
    )


class BankAccountOut(Schema):
    iban: str
    bic: str


class SupplierOut(Schema):
    id: UUID
    name: str
    country: str
    registry_code: str
    vat_number: str
    street: str
    postal_code: str
    city: str
    erp_code: str
    default_currency: str | None
    is_active: bool
    bank_accounts: list[BankAccountOut]
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_default_currency(obj: Supplier) -> str | None:
        return obj.default_currency or None

    @staticmethod
    def resolve_bank_accounts(obj: Supplier) -> list[dict]:
        return [{"iban": a.iban, "bic": a.bic} for a in obj.bank_accounts.all()]


class SupplierFilters(PageParams):
    q: str | None = Field(
        None, max_length=200, description="Search name, registry code or VAT number."
    )
    created_after: Timestamp | None = None
    created_before: Timestamp | None = None
    modified_after: Timestamp | None = None
    modified_before: Timestamp | None = None
    is_active: bool | None = None
