"""Errors of the coding app: when the coding of an invoice may not be changed, and by whom."""

from __future__ import annotations

from payables.errors import Conflict, PermissionDenied


class CodingNotEditable(Conflict):
    """Accounting has the invoice (or it is cancelled, or not read yet): its coding is final."""

    code = "coding_not_editable"
    default_message = "The invoice's coding cannot be changed in its state."


class ApproversMayNotCode(PermissionDenied):
    """The company does not let approvers change coding (``approvers_may_code``)."""

    code = "approvers_may_not_code"
    default_message = (
        "Your company does not let approvers change coding; ask an accountant to change it."
    )


class NotWaitingForYou(PermissionDenied):
    """An approver codes only the invoices whose current step is theirs."""

    code = "invoice_not_waiting_for_you"
    default_message = (
        "An approver may change the coding of an invoice only while it waits for them."
    )


class CodingNotAllowed(PermissionDenied):
    """The approver may not code to this account or dimension value (``coding_accounts``,
    ``coding_dimensions`` of their user)."""

    code = "coding_not_allowed"
