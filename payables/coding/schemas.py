"""Shapes of the coding endpoints: posting lines and prebooking splits.

Amounts go in as JSON numbers or decimal strings and out as strings at the currency's
scale. Schemas check shape; the services check meaning (codes, totals, who may code).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self
from uuid import UUID

from ninja import Schema
from pydantic import Field, model_validator

from payables.coding.models import PostingLine, PrebookingSplit
from payables.invoices.models import Invoice
from payables.money import format_amount, format_decimal
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


class PostingLineOut(Schema):
    position: int
    source: str = Field(description="row, item, rule:<id>, suggestion, manual or prebooking.")
    row_position: int | None
    description: str
    account_code: str
    vat_code: str
    dimensions: dict
    net_amount: str
    vat_amount: str = Field(description="VAT the invoice charges on the line.")
    reverse_charge_vat_amount: str = Field(description="VAT self-assessed (reverse charge).")
    deductible_vat_amount: str
    non_deductible_vat_amount: str
    expense_amount: str = Field(description="Net plus non-deductible VAT.")
    confidence: str | None = Field(description="The probability of an applied suggestion.")

    @classmethod
    def from_line(cls, line: PostingLine, currency: str) -> PostingLineOut:
        def money(value: Decimal) -> str:
            return format_amount(value, currency)

        return cls(
            position=line.position,
            source=line.source,
            row_position=line.row_position,
            description=line.description,
            account_code=line.account_code,
            vat_code=line.vat_code,
            dimensions=line.dimensions,
            net_amount=money(line.net_amount),
            vat_amount=money(line.vat_amount),
            reverse_charge_vat_amount=money(line.reverse_charge_vat_amount),
            deductible_vat_amount=money(line.deductible_vat_amount),
            non_deductible_vat_amount=money(line.non_deductible_vat_amount),
            expense_amount=money(line.expense_amount),
            confidence=None if line.confidence is None else format_decimal(line.confidence),
        )


class PrebookingSplitOut(Schema):
    position: int
    percent: str | None
    sum: str | None
    account_code: str
    vat_code: str
    dimensions: dict
    description: str

    @classmethod
    def from_split(cls, split: PrebookingSplit, currency: str) -> PrebookingSplitOut:
        return cls(
            position=split.position,
            percent=None if split.percent is None else format_decimal(split.percent),
            sum=None if split.sum is None else format_amount(split.sum, currency),
            account_code=split.account_code,
            vat_code=split.vat_code,
            dimensions=split.dimensions,
            description=split.description,
        )


class CodingOut(Schema):
    """An invoice's coding: its posting lines (and prebooking splits, if it has them)."""

    invoice_id: UUID
    internal_id: int
    status: str
    currency: str
    net_amount: str
    vat_amount: str
    gross_amount: str
    prebooked: bool = Field(description="Posting lines set by a person or a rule.")
    coded: bool = Field(description="Every posting line has an account and a VAT code.")
    notice: str | None = Field(
        None, description="Set when the body named the invoice differently from the path."
    )
    prebooking: list[PrebookingSplitOut]
    posting_lines: list[PostingLineOut]

    @classmethod
    def build(
        cls,
        invoice: Invoice,
        lines: list[PostingLine],
        splits: list[PrebookingSplit],
        *,
        notice: str | None = None,
    ) -> CodingOut:
        cur = invoice.currency
        return cls(
            invoice_id=invoice.id,
            internal_id=invoice.internal_id,
            status=invoice.status,
            currency=cur,
            net_amount=format_amount(invoice.net_amount, cur),
            vat_amount=format_amount(invoice.vat_amount, cur),
            gross_amount=format_amount(invoice.gross_amount, cur),
            prebooked=invoice.prebooked,
            coded=invoice.coded,
            notice=notice,
            prebooking=[PrebookingSplitOut.from_split(s, cur) for s in splits],
            posting_lines=[PostingLineOut.from_line(line, cur) for line in lines],
        )
