"""The event types of purchase orders, declared apart from the rest of the catalogue to keep
each module to one topic; ``event_types`` lists them with the others."""

from __future__ import annotations

from payables.events.contract import INVOICE_SUMMARY, EventType

PURCHASE_ORDER_IMPORTED = "purchase_order.imported"
PURCHASE_ORDER_UPDATED = "purchase_order.updated"
PURCHASE_ORDER_CLOSED = "purchase_order.closed"
PURCHASE_ORDER_CANCELLED = "purchase_order.cancelled"
PURCHASE_ORDER_RECEIVED = "purchase_order.received"
INVOICE_MATCHED = "invoice.matched"
INVOICE_MATCH_DISCREPANCY = "invoice.match_discrepancy"

ORDER_SUMMARY = {
    "id": "The purchase order's UUID.",
    "number": "The company's order number.",
    "status": "The order's status after the change.",
    "supplier_id": "The supplier's UUID.",
    "currency": "ISO 4217 code.",
    "gross_amount": "Total with VAT: a string at the currency's scale.",
    "source": "`json`, `xml` or `peppol`: how the order came.",
}

MATCH_DETAILS = {
    "purchase_order_id": "The matched order's UUID.",
    "purchase_order_number": "The matched order's number.",
    "match_status": "`matched`, `within_tolerance` or `discrepancy`.",
    "found_by": (
        "How the order was found: `order_number`, `order_id`, `supplier` (its only open "
        "order) or `manual`."
    ),
    "expected_net_amount": "The order's price of what the invoice bills, at the currency's scale.",
    "reasons": (
        "List of {`code`, `message`, `row` (the invoice row's position, or null)}: why the "
        "invoice is not simply matched (empty when it is)."
    ),
}

ORDER_EVENT_TYPES = [
    EventType(
        PURCHASE_ORDER_IMPORTED,
        "purchase_order",
        "A purchase order was created (through the API or an imported order document).",
        ORDER_SUMMARY,
    ),
    EventType(
        PURCHASE_ORDER_UPDATED,
        "purchase_order",
        "A purchase order was changed, or replaced by one with its number.",
        ORDER_SUMMARY | {"changed_fields": "Sorted list of the fields sent."},
    ),
    EventType(
        PURCHASE_ORDER_CLOSED,
        "purchase_order",
        "A purchase order was closed: nothing more is expected of it.",
        ORDER_SUMMARY | {"reason": "Why, as given (may be empty)."},
    ),
    EventType(
        PURCHASE_ORDER_CANCELLED,
        "purchase_order",
        "A purchase order was cancelled.",
        ORDER_SUMMARY | {"reason": "Why, as given (may be empty)."},
    ),
    EventType(
        PURCHASE_ORDER_RECEIVED,
        "purchase_order",
        "A goods receipt (or its reversal, with negative quantities) was recorded.",
        ORDER_SUMMARY
        | {
            "receipt_id": "The goods receipt's UUID.",
            "received_at": "ISO 8601 date the goods came.",
            "reference": "The receipt's reference, e.g. the delivery note (may be empty).",
            "lines": (
                "List of {`line_id`, `quantity` (this receipt's, negative for a reversal), "
                "`received_quantity` (the line's total now)}, quantities as strings."
            ),
        },
    ),
    EventType(
        INVOICE_MATCHED,
        "invoice",
        "An invoice was matched to its purchase order, exactly or within the tolerances.",
        INVOICE_SUMMARY | MATCH_DETAILS,
    ),
    EventType(
        INVOICE_MATCH_DISCREPANCY,
        "invoice",
        "An invoice differs from its purchase order beyond the tolerances (or bills lines the "
        "order does not have): it goes to the order's requester.",
        INVOICE_SUMMARY | MATCH_DETAILS,
    ),
]
