"""Who may take an approval step, and who may manage chains: the checks every action shares."""

from __future__ import annotations

from decimal import Decimal

from payables.invoices.models import Invoice
from payables.tenancy.actors import Actor
from payables.tenancy.models import CompanyUser
from payables.tenancy.permissions import Action, require, user_may
from payables.tenancy.queries import find_user as find_user


def invoice_amount(invoice: Invoice) -> Decimal:
    """The amount approval limits are compared with: gross in home currency, unsigned."""
    return abs(invoice.home_gross_amount)


def refusal_as_approver(user: CompanyUser) -> str | None:
    """Why this user cannot take any approval step, or None."""
    if not user.is_active:
        return "inactive"
    if not user_may(user, Action.APPROVE):
        return "not_an_approver"
    return None


def refusal_as_last(user: CompanyUser, amount: Decimal) -> str | None:
    """Why this user cannot be the final approver of ``amount``, or None."""
    if not user.can_be_last_approver:
        return "cannot_be_last_approver"
    if user.approval_limit_amount is not None and user.approval_limit_amount < amount:
        return "approval_limit_below_amount"
    return None


def require_manager(actor: Actor) -> None:
    """Refuse a person whose roles do not let them append approvers, re-route or edit rules."""
    require(actor, Action.MANAGE_APPROVALS)
