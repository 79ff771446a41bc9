"""Shapes of product item requests and answers, with their seller mappings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, model_validator

from payables.masterdata.models import ProductItem
from payables.masterdata.schemas.records import Code, RequestId
from payables.schema_types import Flag, InSchema

ItemType = Literal["stock", "service", "item"]


class SellerMappingIn(InSchema):
    """The supplier, by `supplier_id` or by its `supplier_code` (ERP code), and its code."""

    supplier_id: UUID | None = None
    supplier_code: str | None = Field(None, max_length=50, description="The supplier's ERP code.")
    seller_code: str = Field(
        min_length=1, max_length=100, description="The supplier's product code."
    )

    @model_validator(mode="after")
    def _one_supplier(self) -> SellerMappingIn:
        if (self.supplier_id is None) == (self.supplier_code is None):
            raise ValueError("Give exactly one of supplier_id and supplier_code.")
        return self


class ItemFields(InSchema):
    """An item as ``PUT /items/by-code/{code}`` takes it; `seller_mappings` replace all."""

    description: str = Field(min_length=1, max_length=500)
    type: ItemType = "item"
    unit: str = Field("", max_length=20)
    default_account: Code | None = Field(None, description="Code of one of the accounts.")
    default_vat_code: Code | None = Field(None, description="Code of one of the VAT codes.")
    default_dimensions: dict[Code, Code] = Field(
        default_factory=dict,
        max_length=20,
        description="Dimension type code → dimension value code.",
    )
    seller_mappings: list[SellerMappingIn] = Field(default_factory=list, max_length=200)
    is_active: Flag = True


class ItemIn(ItemFields):
    code: Code
    request_id: RequestId = None


class ItemPatch(InSchema):
    """Given fields change, the others stay. `seller_mappings`, when given, replace the stored
    list (`[]` removes them all); each mapping is checked as on create."""

    code: Code = None
    description: str = Field(None, min_length=1, max_length=500)
    type: ItemType = None
    unit: str = Field(None, max_length=20)
    default_account: Code | None = None
    default_vat_code: Code | None = None
    default_dimensions: dict[Code, Code] = Field(None, max_length=20)
    seller_mappings: list[SellerMappingIn] = Field(
        None,
        max_length=200,
        description="Replaces the stored list; each mapping names `supplier_id` or "
        "`supplier_code`, as on create.",
    )
    is_active: Flag = None


class SellerMappingOut(Schema):
    supplier_id: UUID
    supplier_code: str | None
    seller_code: str


class ItemOut(Schema):
    id: UUID
    code: str
    description: str
    type: str
    unit: str
    default_account: str | None
    default_vat_code: str | None
    default_dimensions: dict[str, str]
    seller_mappings: list[SellerMappingOut]
    is_active: bool
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_default_account(obj: ProductItem) -> str | None:
        return obj.default_account.code if obj.default_account_id else None

    @staticmethod
    def resolve_default_vat_code(obj: ProductItem) -> str | None:
        return obj.default_vat_code.code if obj.default_vat_code_id else None

    @staticmethod
    def resolve_seller_mappings(obj: ProductItem) -> list[dict]:
        return [
            {
                "supplier_id": m.supplier_id,
                "supplier_code": m.supplier.erp_code or None,
                "seller_code": m.seller_code,
            }
            for m in obj.seller_mappings.all()
        ]
