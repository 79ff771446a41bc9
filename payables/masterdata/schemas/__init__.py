"""Ninja schemas of master data, one module per kind, all importable from here."""

from __future__ import annotations

from payables.masterdata.schemas.accounts import (
    AccountFields,
    AccountIn,
    AccountOut,
    AccountPatch,
    VatCodeFields,
    VatCodeIn,
    VatCodeOut,
    VatCodePatch,
)
from payables.masterdata.schemas.custom_fields import (
    CustomFieldFields,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    ListValueIn,
    ListValueOut,
)
from payables.masterdata.schemas.dimensions import (
    DimensionTypeFields,
    DimensionTypeIn,
    DimensionTypeOut,
    DimensionTypePatch,
    DimensionValueFields,
    DimensionValueIn,
    DimensionValueOut,
    DimensionValuePatch,
)
from payables.masterdata.schemas.items import (
    ItemFields,
    ItemIn,
    ItemOut,
    ItemPatch,
    SellerMappingIn,
    SellerMappingOut,
)
from payables.masterdata.schemas.payment_methods import (
    PaymentMethodFields,
    PaymentMethodIn,
    PaymentMethodOut,
    PaymentMethodPatch,
)
from payables.masterdata.schemas.records import Code, RecordFilters
from payables.masterdata.schemas.suppliers import (
    BankAccountIn,
    BankAccountOut,
    SupplierFilters,
    SupplierIn,
    SupplierOut,
    SupplierPatch,
)
from payables.masterdata.schemas.users import UserFields, UserIn, UserOut, UserPatch

__all__ = [
    "AccountFields",
    "AccountIn",
    "AccountOut",
    "AccountPatch",
    "BankAccountIn",
    "BankAccountOut",
    "Code",
    "CustomFieldFields",
    "CustomFieldIn",
    "CustomFieldOut",
    "CustomFieldPatch",
    "DimensionTypeFields",
    "DimensionTypeIn",
    "DimensionTypeOut",
    "DimensionTypePatch",
    "DimensionValueFields",
    "DimensionValueIn",
    "DimensionValueOut",
    "DimensionValuePatch",
    "ItemFields",
    "ItemIn",
    "ItemOut",
    "ItemPatch",
    "ListValueIn",
    "ListValueOut",
    "PaymentMethodFields",
    "PaymentMethodIn",
    "PaymentMethodOut",
    "PaymentMethodPatch",
    "RecordFilters",
    "SellerMappingIn",
    "SellerMappingOut",
    "SupplierFilters",
    "SupplierIn",
    "SupplierOut",
    "SupplierPatch",
    "UserFields",
    "UserIn",
    "UserOut",
    "UserPatch",
    "VatCodeFields",
    "VatCodeIn",
    "VatCodeOut",
    "VatCodePatch",
]
