"""The event types of coding (posting lines, prebooking), declared apart from the rest of
the catalogue to keep each module to one topic; ``event_types`` lists them with the others."""

from __future__ import annotations

from payables.events.contract import INVOICE_SUMMARY, EventType

INVOICE_CODING_CHANGED = "invoice.coding_changed"

POSTING_LINES = (
    "List of the invoice's posting lines, in order: {`position`, `source` (`row`, `item`, "
    "`rule:<id>`, `suggestion`, `manual` or `prebooking`), `row_position` (or null), "
    "`description`, `account_code`, `vat_code`, `dimensions` (type code → value code), "
    "`net_amount`, `vat_amount`, `reverse_charge_vat_amount`, `deductible_vat_amount`, "
    "`non_deductible_vat_amount`, `expense_amount` (amounts as strings at the currency's "
    "scale)}."
)

CODING_EVENT_TYPES = [
    EventType(
        INVOICE_CODING_CHANGED,
        "invoice",
        "An invoice's posting lines were replaced by a person or system (posting lines or "
        "prebooking), or derived again because its totals changed.",
        INVOICE_SUMMARY
        | {
            "how": "`posting_lines`, `prebooking` or `derived`.",
            "changed_dimension_types": "Sorted list of the dimension types whose values changed.",
            "changed_accounts": "Sorted list of the accounts added or removed.",
            "posting_lines": POSTING_LINES,
        },
    ),
]
