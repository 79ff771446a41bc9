"""An order's status, derived from what arrived and what was invoiced, and its events."""

from __future__ import annotations

from collections.abc import Iterable

from payables.events.models import Event
from payables.events.services import record_event
from payables.money import format_amount
from payables.orders.models import PurchaseOrder, PurchaseOrderLine
from payables.tenancy.actors import Actor

Status = PurchaseOrder.Status
FINAL = frozenset({Status.CLOSED, Status.CANCELLED})


def derive_status(order: PurchaseOrder, lines: Iterable[PurchaseOrderLine]) -> str:
    """The status the quantities give; a closed or cancelled order keeps its status.

    Invoicing counts before receiving: an order is ``invoiced`` when every line is
    invoiced in full, ``partially_invoiced`` when anything is; else ``received`` when every
    line has arrived in full, ``partially_received`` when anything has; else ``open``.
    """
    if order.status in FINAL:
        return order.status
    lines = list(lines)
    invoiced = any(line.invoiced_quantity for line in lines)
    received = any(line.received_quantity for line in lines)
    if invoiced and all(line.invoiced_quantity >= line.quantity for line in lines):
        return Status.INVOICED
    if invoiced:
        return Status.PARTIALLY_INVOICED
    if received and all(line.received_quantity >= line.quantity for line in lines):
        return Status.RECEIVED
    if received:
        return Status.PARTIALLY_RECEIVED
    return Status.OPEN


def record_order_event(
    event_type: str, order: PurchaseOrder, *, actor: Actor, details: dict | None = None
) -> Event:
    """Record a change of an order inside the caller's transaction, with its summary."""
    return record_event(
        event_type,
        actor=actor,
        subject_type="purchase_order",
        subject_id=order.id,
        payload=order_snapshot(order) | (details or {}),
    )


def order_snapshot(order: PurchaseOrder) -> dict:
    """The summary an event carries about an order."""
    return {
        "id": str(order.id),
        "number": order.number,
        "status": order.status,
        "supplier_id": str(order.supplier_id),
        "currency": order.currency,
        "gross_amount": format_amount(order.gross_amount, order.currency),
        "source": order.source,
    }
