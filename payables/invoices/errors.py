"""Errors of the invoices app."""

from __future__ import annotations

from payables.errors import Conflict, FieldError, NotFound


class InvoiceNotFound(NotFound):
    """No such invoice in this company."""

    code = "invoice_not_found"
    default_message = "Invoice not found."


class DuplicateInvoiceNumber(Conflict):
    """The supplier already has a (not cancelled) invoice with this number."""

    code = "duplicate_invoice_number"


class InvoiceNotEditable(Conflict):
    """The invoice's state no longer allows this change."""

    code = "invoice_not_editable"


class UnknownSupplier(FieldError):
    """The invoice names a supplier that cannot be found or created."""

    code = "unknown_supplier"


class Overpayment(FieldError):
    """The payment would pay more than the amount due."""

    code = "overpayment"


class AttachmentNotFound(NotFound):
    """No such attachment on this invoice."""

    code = "attachment_not_found"
    default_message = "Attachment not found."


class NumberingPolicyNotFound(NotFound):
    """No such numbering policy in this company."""

    code = "numbering_policy_not_found"
    default_message = "Numbering policy not found."


class WrongInvoiceState(Conflict):
    """The invoice's state does not allow this transition."""

    code = "invoice_state_conflict"


class InvoiceNotExportable(Conflict):
    """Only approved invoices are exported (exported ones again: a re-export)."""

    code = "invoice_not_exportable"


class InvoiceNotExported(Conflict):
    """Bookings and sync errors are about an invoice that was exported."""

    code = "invoice_not_exported"


class InvoiceNeedsReview(Conflict):
    """An imported invoice flagged for review is neither finally approved nor exported
    until an accountant clears the flag."""

    code = "needs_review"


class ReviewNotNeeded(Conflict):
    """Only an invoice flagged for review can have its review cleared."""

    code = "review_not_needed"
