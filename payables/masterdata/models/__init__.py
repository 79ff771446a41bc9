"""Master data models, one module per kind, all importable from here."""

from __future__ import annotations

from payables.masterdata.models.accounts import Account
from payables.masterdata.models.currency_rates import CurrencyRate
from payables.masterdata.models.custom_fields import CustomField, CustomFieldValue
from payables.masterdata.models.dimensions import (
    DEFAULT_DIMENSION_TYPES,
    DimensionType,
    DimensionValue,
)
from payables.masterdata.models.items import ProductItem, SellerMapping
from payables.masterdata.models.jobs import BulkJob, BulkJobChunk
from payables.masterdata.models.password_links import PasswordLinkRequest
from payables.masterdata.models.payment_methods import PaymentMethod
from payables.masterdata.models.records import CodedRecord, RecordQuerySet
from payables.masterdata.models.suppliers import Supplier, SupplierBankAccount, SupplierQuerySet
from payables.masterdata.models.vat_codes import VatCode

__all__ = [
    "DEFAULT_DIMENSION_TYPES",
    "Account",
    "BulkJob",
    "BulkJobChunk",
    "CodedRecord",
    "CurrencyRate",
    "CustomField",
    "CustomFieldValue",
    "DimensionType",
    "DimensionValue",
    "PasswordLinkRequest",
    "PaymentMethod",
    "ProductItem",
    "RecordQuerySet",
    "SellerMapping",
    "Supplier",
    "SupplierBankAccount",
    "SupplierQuerySet",
    "VatCode",
]
