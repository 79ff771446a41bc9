"""Storing posting lines: derived for every created or changed invoice, and their flags.

Every invoice gets its lines when it is created or changed (the lifecycle's ``ROUTABLE``
moment, before approvals routes it on them). Lines a person set (``manual``,
``prebooking``, an accepted suggestion: ``set_by_person``) survive a change that keeps the
invoice's totals; otherwise the invoice's lines are derived again, and its trail and an
``invoice.coding_changed`` event (``how``: ``derived``) say so.
"""

from __future__ import annotations

from payables.coding.autocoding import autocode
from payables.coding.derivation import derive_drafts, lines_from_drafts, reconciles
from payables.coding.models import PostingLine
from payables.coding.services.changes import change_details, store_lines
from payables.events import event_types
from payables.invoices import lifecycle
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.tenancy.actors import Actor


def derive_posting_lines(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook: give a created or changed invoice its posting lines before routing.

    Lines a person set are kept while they still add up to the invoice's net and VAT;
    otherwise (and always for derived lines) they are derived again from the rows,
    rules and suggestions coding what the rows leave uncoded.
    """
    created = lifecycle.is_created_now(invoice)  # then it has no lines yet
    stored = [] if created else list(PostingLine.objects.filter(invoice=invoice))
    personal = any(line.set_by_person for line in stored)
    if personal and reconciles(invoice, stored):
        return
    derived = lines_from_drafts(invoice, autocode(invoice, derive_drafts(invoice)))
    if not personal:
        store_lines(invoice, derived, replace=not created)
        return
    add_audit_entry(
        invoice,
        actor,
        "posting_lines_rederived",
        comment="the invoice's totals changed: the posting lines a person set no longer "
        "added up, so they were derived again from its rows",
    )
    invoice.prebooking_splits.all().delete()
    record_invoice_event(
        event_types.INVOICE_CODING_CHANGED,
        invoice,
        actor=actor,
        details=change_details(invoice, "derived", stored, store_lines(invoice, derived)),
    )
