"""The shape of the event catalogue: what a declared event type says, and the invoice
summary every invoice event carries. ``event_types`` declares the types themselves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    """What an event of this type announces, what it is about and what its payload holds."""

    name: str
    subject_type: str  # the event's ``subject_type``; ``subject_id`` is that record's UUID
    description: str
    payload: dict[str, str]  # each top-level field of the payload → what it holds


INVOICE_SUMMARY = {
    "id": "The invoice's UUID.",
    "internal_id": "The company's sequential number of the invoice.",
    "invoice_number": "The supplier's invoice number.",
    "type": "`invoice` or `credit_note`.",
    "status": "The invoice's status after the change.",
    "supplier_id": "The supplier's UUID.",
    "currency": "ISO 4217 code.",
    "gross_amount": "Total with VAT: a string at the currency's scale.",
    "amount_due": "Gross amount less payments: a string at the currency's scale.",
}
