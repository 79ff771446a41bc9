"""Every write to purchase orders: one public function per business action."""

from __future__ import annotations

from payables.orders.services.orders import (
    cancel_purchase_order,
    close_purchase_order,
    create_purchase_order,
    update_purchase_order,
    upsert_purchase_order,
)
from payables.orders.services.receipts import record_goods_receipt
from payables.orders.services.status import derive_status

__all__ = [
    "cancel_purchase_order",
    "close_purchase_order",
    "create_purchase_order",
    "derive_status",
    "record_goods_receipt",
    "update_purchase_order",
    "upsert_purchase_order",
]
