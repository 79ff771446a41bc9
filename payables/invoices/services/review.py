"""Flagging an invoice for review, and clearing the flag.

An e-invoice that fails validation but can be read with determinate totals is imported
with ``needs_review`` and its error-level findings (``Invoice.review_findings``). The
lifecycle then refuses its final approval and its export until an accountant (or an
admin, or a client system with ``invoices:write``) has looked at the findings and
cleared the flag, saying why: that reason is the audit trail of the decision.
"""

from __future__ import annotations

from django.db import transaction

from payables.errors import FieldError
from payables.events import event_types
from payables.events.services import lock_company_writes
from payables.invoices.errors import ReviewNotNeeded
from payables.invoices.lifecycle import lock_invoice
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, require

MAX_REASON = 500


def clear_review(invoice: Invoice, *, actor: Actor, reason: str) -> Invoice:
    """Clear the invoice's review flag; its findings stay on it as the record of what was seen."""
    require(actor, Action.EDIT_INVOICES)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise FieldError(
            f"A reason of 1 to {MAX_REASON} characters is required to clear the review",
            loc=["reason"],
        )
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        if not invoice.needs_review:
            raise ReviewNotNeeded("The invoice is not flagged for review.")
        invoice.needs_review = False
        invoice.save(update_fields=["needs_review", "modified_at"])
        add_audit_entry(invoice, actor, "review_cleared", comment=reason)
        record_invoice_event(
            event_types.INVOICE_REVIEW_CLEARED,
            invoice,
            actor=actor,
            details={"reason": reason, "findings": len(invoice.review_findings)},
        )
    return invoice


def flag_for_review(invoice: Invoice, *, actor: Actor, findings: list[dict]) -> Invoice:
    """Flag an invoice for review with the findings that need a person's look.

    A digitized invoice whose key fields were missing or unsure, for one: its final
    approval and its export wait until an accountant clears the flag.
    """
    with transaction.atomic():
        lock_company_writes(actor.company)
        invoice = lock_invoice(invoice)
        invoice.needs_review = True
        invoice.review_findings = [*invoice.review_findings, *findings][:200]
        invoice.save(update_fields=["needs_review", "review_findings", "modified_at"])
        add_audit_entry(invoice, actor, "flagged_for_review", comment=f"{len(findings)} findings")
    return invoice
