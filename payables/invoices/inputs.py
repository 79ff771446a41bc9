"""What the invoice services take: invoices as checked shapes (types, lengths, patterns).

The services check meaning (totals, codes, numbers); these models check shape only. The
native API accepts them as its request bodies, and every other channel (e-invoice import,
batch upsert, the vendors' APIs) builds them from its own shapes, so no service depends on
an API's answer or request format.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import AnyHttpUrl, Field, create_model

from payables.masterdata.schemas import BankAccountIn
from payables.schema_types import (
    CountryCode,
    CurrencyCode,
    InSchema,
    IsoDate,
    Money,
    Quantity,
    Rate,
    UnitPrice,
    VatRate,
)

Text = Field("", max_length=200)


class SupplierRefIn(InSchema):
    """Find a supplier by id, registry code or VAT number; with name and country, create it."""

    id: UUID | None = None
    registry_code: str | None = Field(None, max_length=50)
    vat_number: str | None = Field(None, max_length=50)
    name: str | None = Field(None, min_length=1, max_length=200)
    country: CountryCode | None = None
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    erp_code: str = Field("", max_length=50)
    bank_accounts: list[BankAccountIn] = Field(default_factory=list, max_length=20)


class InvoiceRowIn(InSchema):
    """A row; its codes name the company's master data (checked when the company keeps it)."""

    item_code: str = Field("", max_length=100, description="The seller's product code.")
    product_code: str = Field(
        "",
        max_length=50,
        description="The company's product item; recognised from `item_code` when empty.",
    )
    gtin: str = Field(
        "", max_length=14, pattern=r"^(\d{8}|\d{12,14})?$", description="The item's GTIN."
    )
    order_line_reference: str = Field(
        "",
        max_length=100,
        description="The purchase order line this row bills (its `line_id`; BT-132).",
    )
    description: str = Field("", max_length=1000)
    quantity: Quantity | None = None
    unit: str = Field("", max_length=20)
    unit_price: UnitPrice | None = None
    net_amount: Money
    vat_rate: VatRate | None = None
    vat_amount: Money | None = None
    vat_code: str = Field("", max_length=50, description="One of the company's VAT codes.")
    account_code: str = Field("", max_length=50, description="An account of the company's chart.")
    dimensions: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="Dimension type code → dimension value code.",
    )


class VatLineIn(InSchema):
    vat_rate: VatRate | None = None
    vat_code: str = Field("", max_length=50, description="One of the company's VAT codes.")
    vat_category: str = Field(
        "", max_length=20, description="The document's VAT category (UNCL5305: S, Z, AE, …)."
    )
    base_amount: Money
    vat_amount: Money


class InvoiceIn(InSchema):
    """A purchase invoice or credit note (credit notes have negative amounts)."""

    supplier_id: UUID | None = None
    supplier: SupplierRefIn | None = None
    invoice_number: str = Field(min_length=1, max_length=200)
    type: Literal["invoice", "credit_note"] = "invoice"
    origin: Literal["api", "e-invoice", "digitized", "upload"] = "api"
    invoice_date: IsoDate
    due_date: IsoDate | None = None
    entry_date: IsoDate | None = None
    vat_date: IsoDate | None = None
    currency: CurrencyCode
    currency_rate: Rate | None = None
    net_amount: Money
    vat_amount: Money
    rounding_amount: Money = Decimal(0)
    gross_amount: Money
    order_number: str = Text
    buyer_reference: str = Text
    seller_reference: str = Text
    payment_reference: str = Text
    bank_account: str = Field("", max_length=50)
    bic: str = Field("", max_length=20)
    payment_terms: str = Field("", max_length=500)
    custom_fields: dict = Field(default_factory=dict, max_length=100)
    rows: list[InvoiceRowIn] = Field(default_factory=list, max_length=2000)
    vat_breakdown: list[VatLineIn] = Field(default_factory=list, max_length=50)
    request_id: str | None = Field(
        None, max_length=255, description="Idempotency key, if not sent as a header."
    )


def _optional(field: object) -> tuple[object, object]:
    info = copy.copy(field)
    info.default = None
    info.default_factory = None
    return (field.annotation | None, info)


# Every field of InvoiceIn, all optional: what is sent replaces what is stored.
InvoicePatch = create_model(
    "InvoicePatch",
    __base__=InSchema,
    **{
        name: _optional(field)
        for name, field in InvoiceIn.model_fields.items()
        if name not in {"request_id", "origin"}
    },
)


class AttachmentIn(InSchema):
    """A file as base64, or a link to a document elsewhere (never fetched)."""

    filename: str = Field("", max_length=255)
    content_type: str = Field("", max_length=100)
    content_base64: str | None = None
    url: AnyHttpUrl | None = None
    request_id: str | None = Field(None, max_length=255)


class ExternalInvoiceIn(InvoiceIn):
    """An invoice from another system, recognised by its immutable source identity."""

    source_system: str = Field(min_length=1, max_length=50)
    source_invoice_id: str = Field(min_length=1, max_length=200)
    source_document_version: str | None = Field(None, max_length=100)
    invoice_number: str | None = Field(None, min_length=1, max_length=200)
    external_reference: str = Field("", max_length=200)
    metadata: dict = Field(default_factory=dict)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)


ImportPolicy = Literal[
    "preserve_if_unique_else_fallback",
    "always_preserve_and_reject_on_conflict",
    "always_local_numbering",
]
