"""Ninja schemas of the orders API: inputs are ``inputs.py``'s, outputs list their fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from payables.money import format_amount, format_decimal
from payables.orders.inputs import (
    GoodsReceiptIn,
    OrderLineIn,
    PurchaseOrderIn,
    PurchaseOrderPatch,
    PurchaseOrderPut,
    ReceiptLineIn,
)
from payables.orders.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine
from payables.schema_types import InSchema, PageParams, Timestamp

__all__ = [
    "GoodsReceiptIn",
    "OrderLineIn",
    "PurchaseOrderIn",
    "PurchaseOrderPatch",
    "PurchaseOrderPut",
    "ReceiptLineIn",
]


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


class OrderLineOut(Schema):
    position: int
    line_id: str
    item_code: str
    seller_item_code: str
    gtin: str
    description: str
    quantity: str
    unit: str
    unit_price: str | None
    net_amount: str
    vat_rate: str | None
    vat_code: str
    account_code: str
    dimensions: dict[str, str]
    cost_objective: str
    received_quantity: str
    invoiced_quantity: str

    @classmethod
    def from_line(cls, line: PurchaseOrderLine, currency: str) -> OrderLineOut:
        return cls(
            position=line.position,
            line_id=line.line_id,
            item_code=line.item_code,
            seller_item_code=line.seller_item_code,
            gtin=line.gtin,
            description=line.description,
            quantity=format_decimal(line.quantity),
            unit=line.unit,
            unit_price=_decimal(line.unit_price),
            net_amount=format_amount(line.net_amount, currency),
            vat_rate=_decimal(line.vat_rate),
            vat_code=line.vat_code,
            account_code=line.account_code,
            dimensions=line.dimensions,
            cost_objective=line.cost_objective,
            received_quantity=format_decimal(line.received_quantity),
            invoiced_quantity=format_decimal(line.invoiced_quantity),
        )


class RequesterOut(Schema):
    id: UUID
    code: str
    name: str


class PurchaseOrderOut(Schema):
    id: UUID
    number: str
    status: str
    supplier_id: UUID
    supplier_name: str
    requester: RequesterOut | None
    order_date: date
    delivery_date: date | None
    currency: str
    net_amount: str
    vat_amount: str
    gross_amount: str
    buyer_reference: str
    notes: str
    source: str
    metadata: dict
    lines: list[OrderLineOut]
    created_at: datetime
    modified_at: datetime

    @classmethod
    def from_order(cls, order: PurchaseOrder) -> PurchaseOrderOut:
        cur = order.currency
        requester = order.requester
        return cls(
            id=order.id,
            number=order.number,
            status=order.status,
            supplier_id=order.supplier_id,
            supplier_name=order.supplier.name,
            requester=(
                RequesterOut(id=requester.id, code=requester.code, name=requester.name)
                if requester
                else None
            ),
            order_date=order.order_date,
            delivery_date=order.delivery_date,
            currency=cur,
            net_amount=format_amount(order.net_amount, cur),
            vat_amount=format_amount(order.vat_amount, cur),
            gross_amount=format_amount(order.gross_amount, cur),
            buyer_reference=order.buyer_reference,
            notes=order.notes,
            source=order.source,
            metadata=order.metadata,
            lines=[OrderLineOut.from_line(line, cur) for line in order.lines.all()],
            created_at=order.created_at,
            modified_at=order.modified_at,
        )


class PurchaseOrderFilters(PageParams):
    status: PurchaseOrder.Status | None = None
    supplier_id: UUID | None = None
    number: str | None = Field(None, max_length=200)
    modified_after: Timestamp | None = None
    modified_before: Timestamp | None = None


class ReasonIn(InSchema):
    reason: str = Field("", max_length=500)


class ReceiptLineOut(Schema):
    line_id: str
    quantity: str


class GoodsReceiptOut(Schema):
    id: UUID
    received_at: date
    reference: str
    actor: str
    created_at: datetime
    lines: list[ReceiptLineOut]

    @classmethod
    def from_receipt(cls, receipt: GoodsReceipt) -> GoodsReceiptOut:
        return cls(
            id=receipt.id,
            received_at=receipt.received_at,
            reference=receipt.reference,
            actor=receipt.actor,
            created_at=receipt.created_at,
            lines=[
                ReceiptLineOut(
                    line_id=line.order_line.line_id, quantity=format_decimal(line.quantity)
                )
                for line in receipt.lines.all()
            ],
        )
