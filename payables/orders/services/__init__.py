"""Every write to purchase orders: one public function per business action."""

from __future__ import annotations

from payables.orders.services.matching import ManualLine, set_invoice_match, unmatch_invoice
from payables.orders.services.orders import (
    cancel_purchase_order,
    close_purchase_order,
    create_purchase_order,
    update_purchase_order,
    upsert_purchase_order,
)
from payables.orders.services.receipts import record_goods_receipt
from payables.orders.services.status import derive_status
from payables.orders.services.tolerances import remove_supplier_tolerance, set_tolerance

__all__ = [
    "ManualLine",
    "cancel_purchase_order",
    "close_purchase_order",
    "create_purchase_order",
    "derive_status",
    "record_goods_receipt",
    "remove_supplier_tolerance",
    "set_invoice_match",
    "set_tolerance",
    "unmatch_invoice",
    "update_purchase_order",
    "upsert_purchase_order",
]
