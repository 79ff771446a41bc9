"""Shapes of the coding endpoints: posting lines and prebooking splits.

Amounts go in as JSON numbers or decimal strings and out as strings at the currency's
scale. Schemas check shape; the services check meaning (codes, totals, who may code).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.coding.inputs import (  # noqa: F401 (the API's request bodies)
    PostingLineIn,
    PostingLinesIn,
    PrebookingIn,
    PrebookingSplitIn,
)
from payables.coding.models import PostingLine, PrebookingSplit
from payables.coding.queries import posting_lines_of
from payables.invoices.models import Invoice
from payables.money import format_amount, format_decimal


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


def posting_line_answers(currencies: Mapping[UUID, str]) -> dict[UUID, list[dict]]:
    """The posting lines of the invoices (their ids → currencies) as answers show them
    (``PostingLineOut``), by invoice, in order, built from plain values.

    An invoice with none stored answers the lines derived from its rows, as
    ``posting_lines_of`` does (built object by object: invoices older than posting lines).
    """
    found: dict[UUID, list[dict]] = defaultdict(list)
    lines = PostingLine.objects.filter(invoice_id__in=list(currencies))
    for p in lines.order_by("invoice_id", "position").values(*_POSTING_FIELDS):
        cur = currencies[p["invoice_id"]]
        found[p["invoice_id"]].append(
            {
                "position": p["position"],
                "source": p["source"],
                "row_position": p["row_position"],
                "description": p["description"],
                "account_code": p["account_code"],
                "vat_code": p["vat_code"],
                "dimensions": p["dimensions"],
                "net_amount": format_amount(p["net_amount"], cur),
                "vat_amount": format_amount(p["vat_amount"], cur),
                "reverse_charge_vat_amount": format_amount(p["reverse_charge_vat_amount"], cur),
                "deductible_vat_amount": format_amount(p["deductible_vat_amount"], cur),
                "non_deductible_vat_amount": format_amount(p["non_deductible_vat_amount"], cur),
                "expense_amount": format_amount(p["expense_amount"], cur),
                "confidence": None if p["confidence"] is None else format_decimal(p["confidence"]),
            }
        )
    if derived := [pk for pk in currencies if pk not in found]:
        for invoice in Invoice.objects.filter(pk__in=derived).select_related("company"):
            found[invoice.id] = [
                PostingLineOut.from_line(line, invoice.currency).model_dump()
                for line in posting_lines_of(invoice)
            ]
    return found


_POSTING_FIELDS = (
    "invoice_id", "position", "source", "row_position", "description", "account_code",
    "vat_code", "dimensions", "net_amount", "vat_amount", "reverse_charge_vat_amount",
    "deductible_vat_amount", "non_deductible_vat_amount", "expense_amount", "confidence",
)  # fmt: skip


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
