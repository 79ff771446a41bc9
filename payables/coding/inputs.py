"""What the coding services take: posting lines and prebooking splits as checked shapes.

Shape only (types, lengths, bounds); the services check meaning (codes, totals, who may
code). The API accepts them as its request bodies.
"""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from payables.schema_types import InSchema, Money, decimal_input

Percent = decimal_input(7, 4, ge=0, le=100)
Dimensions = Annotated[
    dict[Annotated[str, Field(min_length=1, max_length=50)], Annotated[str, Field(max_length=50)]],
    Field(max_length=20, description="Dimension type code → dimension value code."),
]
MAX_LINES = 500
MAX_SPLITS = 100


class InvoiceRefIn(InSchema):
    """The invoice may be named in the body too; with both ids disagreeing, the UUID wins."""

    invoice_id: UUID | None = Field(None, description="The invoice's UUID (wins over the path).")
    internal_id: int | None = Field(None, ge=1, le=10**18, description="Its internal id.")


class PostingLineIn(InSchema):
    account_code: str = Field(min_length=1, max_length=50, description="An account of the chart.")
    vat_code: str = Field("", max_length=50, description="A VAT code; empty: none.")
    dimensions: Dimensions = Field(default_factory=dict)
    net_amount: Money
    vat_amount: Money | None = Field(
        None,
        description="The VAT the invoice charges on the line. Absent: net * the VAT code's "
        "rate, rounded to the cent (none for a reverse-charge code or without a code).",
    )
    description: str = Field("", max_length=1000)


class PostingLinesIn(InvoiceRefIn):
    lines: list[PostingLineIn] = Field(min_length=1, max_length=MAX_LINES)


class PrebookingSplitIn(InSchema):
    percent: Percent | None = Field(None, description="Share of the gross, in percent.")
    sum: Money | None = Field(None, description="Share of the gross as an amount (wins).")
    account_code: str = Field(min_length=1, max_length=50)
    vat_code: str = Field("", max_length=50, description="A purchase VAT code; empty: none.")
    dimensions: Dimensions = Field(default_factory=dict)
    description: str = Field("", max_length=1000)

    @model_validator(mode="after")
    def _has_a_share(self) -> Self:
        if self.percent is None and self.sum is None:
            raise ValueError("Give the split's percent or its sum.")
        return self


class PrebookingIn(InvoiceRefIn):
    splits: list[PrebookingSplitIn] = Field(min_length=1, max_length=MAX_SPLITS)
