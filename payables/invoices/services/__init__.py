"""Every write to invoices: one public function per business action."""

from __future__ import annotations

from payables.invoices.services.attachments import AddedAttachment, add_attachment, read_attachment
from payables.invoices.services.invoices import (
    cancel_invoice,
    create_invoice,
    invoice_snapshot,
    update_invoice,
)
from payables.invoices.services.payments import record_payment

__all__ = [
    "AddedAttachment",
    "add_attachment",
    "cancel_invoice",
    "create_invoice",
    "invoice_snapshot",
    "read_attachment",
    "record_payment",
    "update_invoice",
]
