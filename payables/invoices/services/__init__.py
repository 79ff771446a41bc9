"""Every write to invoices: one public function per business action."""

from __future__ import annotations

from payables.invoices.services.attachments import (
    AddedAttachment,
    add_attachment,
    decode_base64_content,
    read_attachment,
)
from payables.invoices.services.counts import recount_invoice_statuses
from payables.invoices.services.invoices import cancel_invoice, create_invoice, update_invoice
from payables.invoices.services.numbering import (
    create_numbering_policy,
    delete_numbering_policy,
    update_numbering_policy,
)
from payables.invoices.services.payments import record_payment
from payables.invoices.services.suppliers import find_or_create_supplier
from payables.invoices.services.upsert import UpsertReport, upsert_invoices

__all__ = [
    "AddedAttachment",
    "UpsertReport",
    "add_attachment",
    "cancel_invoice",
    "create_invoice",
    "create_numbering_policy",
    "decode_base64_content",
    "delete_numbering_policy",
    "find_or_create_supplier",
    "read_attachment",
    "record_payment",
    "recount_invoice_statuses",
    "update_invoice",
    "update_numbering_policy",
    "upsert_invoices",
]
