"""Goods receipts: what arrived of an order's lines, and reversals of what was booked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from payables.errors import FieldError, ValidationFailed
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.money import format_decimal
from payables.orders.errors import OrderNotEditable
from payables.orders.hooks import tell_order_changed
from payables.orders.inputs import GoodsReceiptIn
from payables.orders.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder
from payables.orders.services.matching import rematch_after_receipt
from payables.orders.services.status import FINAL, derive_status, record_order_event
from payables.tenancy.actors import Actor


def record_goods_receipt(
    order: PurchaseOrder, data: GoodsReceiptIn, *, actor: Actor
) -> GoodsReceipt:
    """Add what arrived to the lines named by ``line_id``; negative quantities reverse.

    A line's received quantity never goes below zero nor above what was ordered (more
    arriving is a change of the order: raise its quantity first). Every problem is
    located at ``["lines", i, …]``; a closed or cancelled order receives nothing (409).
    Under three-way matching, invoices that waited for the goods are matched again.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status in FINAL:
            raise OrderNotEditable(f"Order {order.number} is {order.status}.")
        lines = {line.line_id: line for line in order.lines.all()}
        problems: list[FieldError] = []
        taken: list[tuple] = []
        seen: set[str] = set()
        for i, item in enumerate(data.lines):
            line = lines.get(item.line_id)
            if line is None or item.line_id in seen:
                message = (
                    f"The order has no line {item.line_id!r}."
                    if line is None
                    else f"Line {item.line_id!r} is named twice."
                )
                code = "unknown_line" if line is None else "duplicate_line_id"
                problems.append(FieldError(message, loc=["lines", i, "line_id"], code=code))
                continue
            seen.add(item.line_id)
            problem = _judge_quantity(line, item.quantity, ["lines", i, "quantity"])
            if problem is not None:
                problems.append(problem)
                continue
            taken.append((line, item.quantity))
        if problems:
            raise ValidationFailed(problems)
        receipt = GoodsReceipt.objects.create(
            order=order,
            received_at=data.received_at or timezone.localdate(),
            reference=data.reference,
            actor=actor.label,
        )
        for line, quantity in taken:
            line.received_quantity += quantity
            line.save(update_fields=["received_quantity"])
            GoodsReceiptLine.objects.create(receipt=receipt, order_line=line, quantity=quantity)
        order.status = derive_status(order, lines.values())  # not-invoice-status
        order.save(update_fields=["status", "modified_at"])  # not-invoice-status
        details = {
            "receipt_id": str(receipt.id),
            "received_at": receipt.received_at.isoformat(),
            "reference": receipt.reference,
            "lines": [
                {
                    "line_id": line.line_id,
                    "quantity": format_decimal(quantity),
                    "received_quantity": format_decimal(line.received_quantity),
                }
                for line, quantity in taken
            ],
        }
        record_order_event(event_types.PURCHASE_ORDER_RECEIVED, order, actor=actor, details=details)
        tell_order_changed(order, actor=actor)
        if order.company.po_matching == "three_way":
            rematch_after_receipt(order, actor=actor)
    return receipt


def _judge_quantity(line: object, quantity: object, loc: list) -> FieldError | None:
    if not quantity:
        return FieldError("Give a quantity other than zero.", loc=loc, code="zero_quantity")
    after = line.received_quantity + quantity
    if after < 0:
        return FieldError(
            f"Line {line.line_id!r} has {format_decimal(line.received_quantity)} received: "
            f"a reversal cannot take more.",
            loc=loc,
            code="below_zero_received",
        )
    if after > line.quantity:
        return FieldError(
            f"Line {line.line_id!r} ordered {format_decimal(line.quantity)} and has "
            f"{format_decimal(line.received_quantity)} received: {format_decimal(quantity)} "
            f"more is over the order (raise the line's quantity first).",
            loc=loc,
            code="over_received",
        )
    return None
