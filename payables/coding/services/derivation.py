"""Storing posting lines: derived for every created or changed invoice, and their flags.

Every invoice gets its lines when it is created or changed (the lifecycle's ``ROUTABLE``
moment, before approvals routes it on them). Lines a person set (``manual``,
``prebooking``) survive a change that keeps the invoice's totals; otherwise the invoice's
lines are derived again, and its trail says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from payables.coding.autocoding import autocode
from payables.coding.derivation import derive_drafts, lines_from_drafts, reconciles
from payables.coding.models import PostingLine
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry
from payables.tenancy.actors import Actor

Source = PostingLine.Source
PERSONAL = frozenset({Source.MANUAL, Source.PREBOOKING})


def store_lines(invoice: Invoice, lines: Sequence[PostingLine]) -> list[PostingLine]:
    """Replace the invoice's posting lines and keep its ``prebooked`` and ``coded`` flags.

    Inside the caller's transaction, under the invoice's row lock.
    """
    PostingLine.objects.filter(invoice=invoice).delete()
    stored = PostingLine.objects.bulk_create(lines)
    prebooked = any(_set_by_person_or_rule(line.source) for line in stored)
    coded = bool(stored) and all(line.account_code and line.vat_code for line in stored)
    if (invoice.prebooked, invoice.coded) != (prebooked, coded):
        invoice.prebooked, invoice.coded = prebooked, coded
        invoice.save(update_fields=["prebooked", "coded", "modified_at"])
    return stored


def derive_posting_lines(invoice: Invoice, *, actor: Actor) -> None:
    """Lifecycle hook: give a created or changed invoice its posting lines before routing.

    Lines a person set are kept while they still add up to the invoice's net and VAT;
    otherwise (and always for derived lines) they are derived again from the rows,
    rules and suggestions coding what the rows leave uncoded.
    """
    stored = list(PostingLine.objects.filter(invoice=invoice))
    if any(line.source in PERSONAL for line in stored):
        if reconciles(invoice, stored):
            return
        add_audit_entry(
            invoice,
            actor,
            "posting_lines_rederived",
            comment="the invoice's totals changed: its manual or prebooked posting lines "
            "no longer added up, so they were derived again from its rows",
        )
        invoice.prebooking_splits.all().delete()
    store_lines(invoice, lines_from_drafts(invoice, autocode(invoice, derive_drafts(invoice))))


def _set_by_person_or_rule(source: str) -> bool:
    return source in PERSONAL or source.startswith(f"{Source.RULE}:")
