"""Storing a change of an invoice's coding: lines, flags, trail, event and the hooks above."""

from __future__ import annotations

from collections.abc import Sequence

from payables.coding.hooks import CodingChange, tell_coding_changed
from payables.coding.models import PostingLine
from payables.coding.queries import posting_lines_payload
from payables.events import event_types
from payables.events.outbox import defer_insert
from payables.invoices import lifecycle
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.tenancy.actors import Actor


def record_coding_change(
    invoice: Invoice,
    before: Sequence[PostingLine],
    lines: Sequence[PostingLine],
    *,
    actor: Actor,
    how: str,
    comment: str,
) -> list[PostingLine]:
    """Store the new lines; add the audit entry and the event; tell approvals (which may
    restart the chain). Inside the caller's transaction, under its locks."""
    for line in lines:
        line.set_by_person = True  # every change recorded here is a person's or a system's
    stored = store_lines(invoice, lines)
    add_audit_entry(invoice, actor, "coding_changed", comment=comment)
    details = change_details(invoice, how, before, stored)
    record_invoice_event(event_types.INVOICE_CODING_CHANGED, invoice, actor=actor, details=details)
    tell_coding_changed(invoice, _what_changed(how, before, stored), actor=actor)
    return stored


def change_details(
    invoice: Invoice, how: str, before: Sequence[PostingLine], after: Sequence[PostingLine]
) -> dict:
    """The ``invoice.coding_changed`` payload's own fields: how, what changed, the lines."""
    change = _what_changed(how, before, after)
    return {
        "how": how,
        "changed_dimension_types": sorted(change.dimension_types),
        "changed_accounts": sorted(change.accounts),
        "posting_lines": posting_lines_payload(invoice, after),
    }


def store_lines(
    invoice: Invoice, lines: Sequence[PostingLine], *, replace: bool = True
) -> list[PostingLine]:
    """Replace the invoice's posting lines and keep its ``prebooked`` and ``coded`` flags.

    Inside the caller's transaction, under the invoice's row lock. ``replace=False``: the
    invoice has no lines yet (it was created just now), so there is nothing to delete;
    the lines of an invoice created now are served from memory to the hooks after this
    one (routing), and inserted with the batch's trail when it ends (``deferred_writes``).
    """
    if replace:
        PostingLine.objects.filter(invoice=invoice).delete()
    stored = list(lines)
    if replace or not lifecycle.is_created_now(invoice):
        stored = PostingLine.objects.bulk_create(stored)
    else:
        lifecycle.serve_from_memory(invoice, "posting_lines", stored)
        if not defer_insert(*stored, company=invoice.company):
            PostingLine.objects.bulk_create(stored)
    prebooked = any(_set_by_person_or_rule(line) for line in stored)
    coded = bool(stored) and all(line.account_code and line.vat_code for line in stored)
    if (invoice.prebooked, invoice.coded) != (prebooked, coded):
        invoice.prebooked, invoice.coded = prebooked, coded
        invoice.save(update_fields=["prebooked", "coded", "modified_at"])
    return stored


def _set_by_person_or_rule(line: PostingLine) -> bool:
    return line.set_by_person or line.source.startswith(f"{PostingLine.Source.RULE}:")


def _what_changed(
    how: str, before: Sequence[PostingLine], after: Sequence[PostingLine]
) -> CodingChange:
    """Dimension types whose set of values differs, and accounts added or removed."""

    def values(lines: Sequence[PostingLine]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for line in lines:
            for dim_type, value in (line.dimensions or {}).items():
                found.setdefault(dim_type, set()).add(value)
        return found

    old, new = values(before), values(after)
    types = {t for t in old.keys() | new.keys() if old.get(t) != new.get(t)}
    accounts = {line.account_code for line in before} ^ {line.account_code for line in after}
    accounts.discard("")  # an uncoded line names no account
    return CodingChange(how=how, dimension_types=frozenset(types), accounts=frozenset(accounts))
