"""Every event type payables records, declared once (``noun.past_participle``)."""

from __future__ import annotations

SUPPLIER_CREATED = "supplier.created"
SUPPLIER_UPDATED = "supplier.updated"
INVOICE_CREATED = "invoice.created"
INVOICE_UPDATED = "invoice.updated"
INVOICE_CANCELLED = "invoice.cancelled"
INVOICE_PAID = "invoice.paid"
ATTACHMENT_ADDED = "attachment.added"
PAYMENT_RECORDED = "payment.recorded"

EVENT_TYPES = frozenset(
    {
        SUPPLIER_CREATED,
        SUPPLIER_UPDATED,
        INVOICE_CREATED,
        INVOICE_UPDATED,
        INVOICE_CANCELLED,
        INVOICE_PAID,
        ATTACHMENT_ADDED,
        PAYMENT_RECORDED,
    }
)
