"""What the order services take: purchase orders and goods receipts as checked shapes.

Every channel (the JSON API, the XML and Peppol imports) builds these; the services check
meaning (totals, codes, quantities), these models shape only.
"""

from __future__ import annotations

import copy
from typing import Literal
from uuid import UUID

from pydantic import Field, create_model

from payables.invoices.inputs import SupplierRefIn
from payables.schema_types import (
    CurrencyCode,
    InSchema,
    IsoDate,
    Money,
    Quantity,
    UnitPrice,
    VatRate,
)

MAX_LINES = 2000


class OrderLineIn(InSchema):
    """A line as ordered; its codes name the company's master data (checked when kept)."""

    line_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The order's own line id, unique in the order; its position when not given.",
    )
    item_code: str = Field("", max_length=50, description="The company's product item.")
    seller_item_code: str = Field("", max_length=100, description="The supplier's product code.")
    gtin: str = Field("", pattern=r"^([0-9]{8}|[0-9]{12,14})?$")
    description: str = Field("", max_length=1000)
    quantity: Quantity = Field(ge=0)
    unit: str = Field("", max_length=20)
    unit_price: UnitPrice | None = None
    net_amount: Money | None = Field(
        None, description="The line's net; quantity times unit price (to the cent) when not given."
    )
    vat_rate: VatRate | None = Field(None, description="Percent; the VAT code's when not given.")
    vat_code: str = Field("", max_length=50, description="One of the company's VAT codes.")
    account_code: str = Field("", max_length=50, description="An account of the company's chart.")
    dimensions: dict[str, str] = Field(
        default_factory=dict, max_length=20, description="Dimension type code → value code."
    )
    cost_objective: str = Field("", max_length=100)


class PurchaseOrderIn(InSchema):
    """A purchase order. Totals may be left out: they are computed from the lines."""

    number: str = Field(min_length=1, max_length=200)
    supplier_id: UUID | None = None
    supplier: SupplierRefIn | None = None
    requester: str | None = Field(
        None, min_length=1, max_length=254, description="A company user's UUID, email or code."
    )
    order_date: IsoDate
    delivery_date: IsoDate | None = None
    currency: CurrencyCode
    net_amount: Money | None = None
    vat_amount: Money | None = None
    gross_amount: Money | None = None
    buyer_reference: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    source: Literal["json", "xml", "peppol"] = "json"
    metadata: dict = Field(default_factory=dict, max_length=100)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)


def _optional(field: object) -> tuple[object, object]:
    info = copy.copy(field)
    info.default = None
    info.default_factory = None
    return (field.annotation | None, info)


# Every field of PurchaseOrderIn, all optional: what is sent replaces what is stored.
PurchaseOrderPatch = create_model(
    "PurchaseOrderPatch",
    __base__=InSchema,
    **{name: _optional(field) for name, field in PurchaseOrderIn.model_fields.items()},
)

# The body of PUT by-number: the whole order; its number is the path's (may be repeated).
PurchaseOrderPut = create_model(
    "PurchaseOrderPut",
    __base__=PurchaseOrderIn,
    number=(str | None, Field(None, min_length=1, max_length=200)),
)


class ReceiptLineIn(InSchema):
    line_id: str = Field(min_length=1, max_length=100, description="The order line's id.")
    quantity: Quantity = Field(description="Received; negative reverses an earlier receipt.")


class GoodsReceiptIn(InSchema):
    received_at: IsoDate | None = Field(None, description="The day the goods came; today if not.")
    reference: str = Field("", max_length=200, description="E.g. the delivery note's number.")
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=MAX_LINES)
