"""Who may change an invoice's coding, and in which states.

Accountants and admins (and integrators whose key holds ``coding:write``) code any invoice
until accounting has it. An approver codes only an invoice waiting for them, only where the
company lets approvers code, and only to the accounts and dimension values they are allowed
(``CompanyUser.coding_accounts`` / ``coding_dimensions``); codes the invoice's lines carry
already are not theirs to be refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from payables.coding.errors import (
    ApproversMayNotCode,
    CodingNotAllowed,
    CodingNotEditable,
    NotWaitingForYou,
)
from payables.coding.hooks import is_waiting_for
from payables.coding.models import PostingLine
from payables.invoices.models import Invoice
from payables.tenancy.actors import Actor
from payables.tenancy.permissions import Action, may, require

Status = Invoice.Status
CODABLE = frozenset({Status.NEW, Status.ASSIGNED, Status.APPROVED, Status.REJECTED})


def require_codable(invoice: Invoice, what: str = "coding") -> None:
    """Refuse (409) once accounting has the invoice, when cancelled, or before it is read."""
    if invoice.status in CODABLE:
        return
    if invoice.status in {Status.EXPORTED, Status.BOOKED}:
        why = "accounting has it; ask accounting to correct the booking"
    elif invoice.status == Status.CANCELLED:
        why = "it is cancelled"
    else:
        why = "it has not been read yet"
    raise CodingNotEditable(f"The invoice is {invoice.status}: its {what} cannot change, as {why}.")


def require_coder(
    invoice: Invoice,
    actor: Actor,
    wanted: Sequence[tuple[str, dict[str, str]]],
    before: Sequence[PostingLine],
    *,
    where: str,
) -> None:
    """Refuse (403) a person who may not set this coding on this invoice.

    ``wanted`` is each new line's (account code, dimensions), located at ``[where, i]``.
    """
    if actor.user is None or may(actor, Action.EDIT_INVOICES):
        return  # an integrator's scope was checked at the API; accountants code anything
    if not may(actor, Action.APPROVE):
        require(actor, Action.EDIT_INVOICES)  # raises: names the roles that may
    if not invoice.company.approvers_may_code:
        raise ApproversMayNotCode()
    if not is_waiting_for(invoice, actor.user):
        raise NotWaitingForYou()
    accounts_allowed = set(actor.user.coding_accounts or ())
    dimensions_allowed = {k: set(v) for k, v in (actor.user.coding_dimensions or {}).items()}
    accounts_kept = {line.account_code for line in before}
    pairs_kept = {pair for line in before for pair in line.dimensions.items()}
    for i, (account, dimensions) in enumerate(wanted):
        if accounts_allowed and account not in accounts_kept | accounts_allowed:
            raise CodingNotAllowed(
                f"You may not code to account {account!r}.",
                extra={"loc": ["body", where, i, "account_code"]},
            )
        for dim_type, value in dimensions.items():
            allowed = dimensions_allowed.get(dim_type)
            if allowed is None or (dim_type, value) in pairs_kept or value in allowed:
                continue
            raise CodingNotAllowed(
                f"You may not code to {dim_type} {value!r}.",
                extra={"loc": ["body", where, i, "dimensions", dim_type]},
            )
