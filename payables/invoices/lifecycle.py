"""The invoice lifecycle: the only code that changes an invoice's status.

    (received ─► digitizing ─►) new ─► assigned ─► approved ─► exported ─► booked
    new ─► approved: matched its purchase order within tolerance, where the company wants
                                 ▲         │
                                 └─ rejected ◄┘   (re-routed back to new)
    assigned ─► new: the chain restarts when coding changed what routing depends on
    cancelled: from any state before export

Each transition checks that the invoice's state allows it, sets the status, adds the
audit entry (assignment: see ``assign``) and records the event, inside the caller's
transaction; the caller holds the company's write lock and the invoice's row lock
(``queries.lock_invoice``).

Apps above invoices react to a transition through hooks they install at start-up
(``on``): approvals gives new invoices their chain and closes the chain of a cancelled
one; the hand-off exports on approval where the company wants it; coding retrains its
model when enough invoices were exported. invoices never imports them. Hooks of one
moment run in the order their apps are installed (``INSTALLED_APPS``): an app whose hook
must run before routing (coding, say) is listed before approvals.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.db import transaction
from django.db.models import QuerySet

from payables.events import event_types
from payables.events.outbox import flush_deferred
from payables.invoices.errors import (
    InvoiceNeedsReview,
    InvoiceNotEditable,
    InvoiceNotExportable,
    InvoiceNotExported,
    WrongInvoiceState,
)
from payables.invoices.models import Invoice
from payables.invoices.trail import add_audit_entry, record_invoice_event
from payables.tenancy.actors import Actor

Status = Invoice.Status

EDITABLE = frozenset({Status.NEW})
# Not once accounting has it, nor twice.
CANCELLABLE = frozenset(Status) - {Status.EXPORTED, Status.BOOKED, Status.CANCELLED}
EXPORTABLE = frozenset({Status.APPROVED, Status.EXPORTED})
UNPAYABLE = frozenset({Status.RECEIVED, Status.DIGITIZING, Status.CANCELLED})


class Moment(StrEnum):
    """When the apps above are told about an invoice."""

    # The invoice is new (created, changed or re-routed): a chain may be built for it.
    ROUTABLE = "routable"
    # The invoice was cancelled: its approval chain stops.
    CANCELLED = "cancelled"
    # The invoice was finally approved: it may be handed to accounting at once.
    APPROVED = "approved"
    # The invoice was handed to accounting: the booked history coding learns from grew.
    EXPORTED = "exported"


Hook = Callable[..., object]  # called as hook(invoice, actor=actor)
_hooks: dict[Moment, list[Hook]] = {moment: [] for moment in Moment}


def on(moment: Moment, hook: Hook) -> None:
    """Call ``hook(invoice, actor=actor)`` at ``moment``, inside the transition's transaction.

    Installed once by an app's ``AppConfig.ready``; installing the same hook again is a
    no-op (Django may call ``ready`` twice in tests).
    """
    if hook not in _hooks[moment]:
        _hooks[moment].append(hook)


def _tell(moment: Moment, invoice: Invoice, actor: Actor) -> None:
    if moment != Moment.ROUTABLE:
        # Hooks of these moments read what the new-invoice hooks wrote (an export reads the
        # posting lines), which a batch of new invoices may still keep in memory.
        flush_deferred(invoice.company)
    for hook in _hooks[moment]:
        hook(invoice, actor=actor)


def lock_invoice(invoice: Invoice) -> Invoice:
    """Re-read the invoice under a row lock so concurrent changes queue."""
    rows: QuerySet[Invoice] = Invoice.objects.select_for_update(of=("self",))
    return rows.select_related("supplier", "company").get(pk=invoice.pk)


_CREATED_ATTRIBUTE = "_payables_created_now"


def mark_created(invoice: Invoice, *, rows: list, vat_lines: list) -> None:
    """Tell the ROUTABLE hooks that ``invoice`` was inserted by the call running them.

    Nothing can refer to it yet (posting lines, an order match, approval steps), so a
    hook may skip reading those (``is_created_now``); its rows and VAT lines are the
    ones just written, served from memory as if prefetched. ``forget_created`` ends it.
    """
    setattr(invoice, _CREATED_ATTRIBUTE, set())
    serve_from_memory(invoice, "rows", rows)
    serve_from_memory(invoice, "vat_lines", vat_lines)


def serve_from_memory(invoice: Invoice, name: str, objects: list) -> None:
    """While the invoice is created now, answer its reverse relation ``name`` (``rows``,
    ``posting_lines``, ...) with ``objects``, written just now or to be written when the
    caller's batch ends (``events.outbox.deferred_writes``), as if prefetched."""
    served = getattr(invoice, _CREATED_ATTRIBUTE, None)
    if served is None:
        return
    cache = invoice.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(name, None)
    prefetched = getattr(invoice, name).all()
    # What prefetch_related stores: a queryset whose results are already known.
    prefetched._result_cache = list(objects)
    prefetched._prefetch_done = True
    cache[name] = prefetched
    served.add(name)


def forget_created(invoice: Invoice) -> None:
    """End ``mark_created``: from now on the invoice is read from the database again."""
    served = getattr(invoice, _CREATED_ATTRIBUTE, set())
    if hasattr(invoice, _CREATED_ATTRIBUTE):
        delattr(invoice, _CREATED_ATTRIBUTE)
    cache = invoice.__dict__.get("_prefetched_objects_cache", {})
    for name in served:
        cache.pop(name, None)


def is_created_now(invoice: Invoice) -> bool:
    """Whether the invoice was inserted by the call whose hooks run now (``mark_created``)."""
    return hasattr(invoice, _CREATED_ATTRIBUTE)


def offer_for_routing(invoice: Invoice, *, actor: Actor) -> None:
    """Let the approval app build a chain for a ``new`` invoice (after create or update)."""
    if invoice.status == Status.NEW:
        _tell(Moment.ROUTABLE, invoice, actor)


def require_editable(invoice: Invoice) -> None:
    if invoice.status not in EDITABLE:
        raise InvoiceNotEditable(f"An invoice in state {invoice.status!r} cannot be edited.")


def cancel(invoice: Invoice, *, actor: Actor, reason: str = "") -> Invoice:
    """Cancel an invoice that has not reached accounting; its number becomes free again."""
    _in_transaction()
    if invoice.status not in CANCELLABLE:
        raise InvoiceNotEditable(f"An invoice in state {invoice.status!r} cannot be cancelled.")
    invoice.status = Status.CANCELLED
    invoice.cancel_reason = reason
    invoice.save(update_fields=["status", "cancel_reason", "modified_at"])
    _tell(Moment.CANCELLED, invoice, actor)
    add_audit_entry(invoice, actor, "cancelled", comment=reason)
    record_invoice_event(
        event_types.INVOICE_CANCELLED, invoice, actor=actor, details={"reason": reason}
    )
    return invoice


def assign(invoice: Invoice, *, actor: Actor, rule: str | None = None) -> Invoice:
    """A ``new`` invoice got a current approval step: it waits for its approvers.

    Its audit entry is the one that built the chain (``routed`` or ``approvers_appended``),
    written by the approvals service in the same transaction just before.
    """
    _in_transaction()
    _require(invoice, {Status.NEW}, "be assigned to approvers")
    _move(invoice, Status.ASSIGNED)
    record_invoice_event(event_types.INVOICE_ASSIGNED, invoice, actor=actor, details={"rule": rule})
    return invoice


def approve(invoice: Invoice, *, actor: Actor) -> Invoice:
    """The last step of the chain was approved: the invoice is approved.

    An invoice flagged for review is refused here, so the caller's transaction (and the
    last step's approval with it) rolls back: the approver approves again once cleared.
    """
    _in_transaction()
    _require(invoice, {Status.ASSIGNED}, "be approved")
    _require_reviewed(invoice, "finally approved")
    _move(invoice, Status.APPROVED)
    add_audit_entry(invoice, actor, "invoice_approved")
    record_invoice_event(event_types.INVOICE_APPROVED, invoice, actor=actor)
    _tell(Moment.APPROVED, invoice, actor)
    return invoice


def approve_without_chain(invoice: Invoice, *, actor: Actor, comment: str) -> Invoice:
    """A ``new`` invoice is approved with no approver: the company lets invoices that match
    their purchase order within tolerance pass (approvals decides; ``comment`` says why)."""
    _in_transaction()
    _require(invoice, {Status.NEW}, "be approved automatically")
    _require_reviewed(invoice, "approved automatically")
    _move(invoice, Status.APPROVED)
    add_audit_entry(invoice, actor, "invoice_approved", comment=comment)
    record_invoice_event(event_types.INVOICE_APPROVED, invoice, actor=actor)
    _tell(Moment.APPROVED, invoice, actor)
    return invoice


def reject(
    invoice: Invoice, *, actor: Actor, reason: str, details: dict, step_event: str
) -> Invoice:
    """An approver rejected the invoice; ``details`` name the step for the events.

    The step's own event (``step_event``) is recorded first, as approving records the
    step's event before the invoice's.
    """
    _in_transaction()
    _require(invoice, {Status.ASSIGNED}, "be rejected")
    _move(invoice, Status.REJECTED)
    add_audit_entry(invoice, actor, "rejected", comment=reason)
    record_invoice_event(step_event, invoice, actor=actor, details=details)
    record_invoice_event(event_types.INVOICE_REJECTED, invoice, actor=actor, details=details)
    return invoice


def reopen(invoice: Invoice, *, actor: Actor, comment: str = "") -> Invoice:
    """Send a rejected invoice back to ``new`` for a new chain (a re-route)."""
    _in_transaction()
    _require(invoice, {Status.REJECTED}, "be re-routed", who="Only rejected invoices are re-routed")
    _move(invoice, Status.NEW)
    add_audit_entry(invoice, actor, "rerouted", comment=comment)
    record_invoice_event(
        event_types.INVOICE_REROUTED, invoice, actor=actor, details={"comment": comment}
    )
    _tell(Moment.ROUTABLE, invoice, actor)
    return invoice


def restart(invoice: Invoice, *, actor: Actor, comment: str) -> Invoice:
    """Send an assigned invoice back to ``new`` for a new chain: its coding changed what
    routing depends on. The caller (approvals) has closed the old chain's waiting steps."""
    _in_transaction()
    _require(invoice, {Status.ASSIGNED}, "restart its approval")
    _move(invoice, Status.NEW)
    add_audit_entry(invoice, actor, "chain_restarted", comment=comment)
    record_invoice_event(
        event_types.INVOICE_REROUTED, invoice, actor=actor, details={"comment": comment}
    )
    _tell(Moment.ROUTABLE, invoice, actor)
    return invoice


def check_exportable(invoice: Invoice) -> None:
    """Refuse to export an invoice that is not approved (or exported: a re-export), or
    that is flagged for review."""
    if invoice.status not in EXPORTABLE:
        raise InvoiceNotExportable(
            f"Only approved invoices can be exported; this one is {invoice.status}."
        )
    _require_reviewed(invoice, "exported")


def check_exported(invoice: Invoice, *, to: str) -> None:
    """Refuse a booking or failure report about an invoice that was never exported."""
    if invoice.status not in {Status.EXPORTED, Status.BOOKED}:
        raise InvoiceNotExported(f"Only exported invoices can {to}; this one is {invoice.status}.")


def export(invoice: Invoice, *, actor: Actor, comment: str, details: dict) -> Invoice:
    """Hand an approved (or again an exported) invoice to accounting.

    The hand-off has set the export fields (``exported_at``, ``export_count``, …) on the
    invoice; they are saved with the status.
    """
    _in_transaction()
    check_exportable(invoice)
    invoice.status = Status.EXPORTED
    invoice.save()
    add_audit_entry(invoice, actor, "exported", comment=comment)
    record_invoice_event(event_types.INVOICE_EXPORTED, invoice, actor=actor, details=details)
    _tell(Moment.EXPORTED, invoice, actor)
    return invoice


def book(invoice: Invoice, *, actor: Actor, comment: str, details: dict) -> Invoice:
    """Accounting booked the exported invoice; the hand-off has set the booking fields."""
    _in_transaction()
    if invoice.status != Status.EXPORTED:
        check_exported(invoice, to="be booked")
        raise WrongInvoiceState("The invoice is booked already.")
    invoice.status = Status.BOOKED
    invoice.save()
    add_audit_entry(invoice, actor, "booked", comment=comment)
    record_invoice_event(event_types.INVOICE_BOOKED, invoice, actor=actor, details=details)
    return invoice


def _in_transaction() -> None:
    """A transition and its event commit together, or neither does."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An invoice changes state only inside the caller's transaction.")


def _require(invoice: Invoice, allowed: set[str], what: str, *, who: str = "") -> None:
    if invoice.status not in allowed:
        raise WrongInvoiceState(
            f"{who}; this one is {invoice.status}."
            if who
            else f"The invoice is {invoice.status}; it cannot {what}."
        )


def _require_reviewed(invoice: Invoice, what: str) -> None:
    if invoice.needs_review:
        raise InvoiceNeedsReview(
            f"The invoice needs review: it cannot be {what} until an accountant clears "
            "its review findings."
        )


def _move(invoice: Invoice, status: str) -> None:
    invoice.status = status
    invoice.save(update_fields=["status", "modified_at"])
