"""An invoice's trail: the audit entries people read and the events other systems follow.

Both are written inside the caller's transaction, so a change and its record commit
together or not at all; inside ``events.outbox.deferred_writes`` (a batch of new invoices)
both are stored in bulk when that block ends.
"""

from __future__ import annotations

from payables.events.models import Event
from payables.events.outbox import defer_insert
from payables.events.services import record_event
from payables.invoices.models import AuditEntry, Invoice
from payables.money import format_amount
from payables.tenancy.actors import Actor


def record_invoice_event(
    event_type: str, invoice: Invoice, *, actor: Actor, details: dict | None = None
) -> Event:
    """Record a change of an invoice, inside the caller's transaction: every such event
    carries the invoice's summary, plus the ``details`` of this change."""
    return record_event(
        event_type,
        actor=actor,
        subject_type="invoice",
        subject_id=invoice.id,
        payload=invoice_snapshot(invoice) | (details or {}),
    )


def invoice_snapshot(invoice: Invoice) -> dict:
    """The summary an event carries about an invoice."""
    cur = invoice.currency
    return {
        "id": str(invoice.id),
        "internal_id": invoice.internal_id,
        "invoice_number": invoice.invoice_number,
        "type": invoice.type,
        "status": invoice.status,
        "supplier_id": str(invoice.supplier_id),
        "currency": cur,
        "gross_amount": format_amount(invoice.gross_amount, cur),
        "amount_due": format_amount(invoice.amount_due, cur),
    }


def add_audit_entry(invoice: Invoice, actor: Actor, action: str, *, comment: str = "") -> None:
    """Add a line to the invoice's trail, inside the caller's transaction (stored when the
    company's ``deferred_writes`` block ends, inside one)."""
    entry = AuditEntry(invoice=invoice, actor=actor.label, action=action, comment=comment[:500])
    if not defer_insert(entry, company=actor.company):
        entry.save(force_insert=True)
