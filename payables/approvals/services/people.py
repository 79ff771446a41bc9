"""Who may take an approval step, and who may manage chains: the checks every action shares."""

from __future__ import annotations

import uuid
from decimal import Decimal

from payables.approvals.errors import RoleRequired
from payables.invoices.models import Invoice
from payables.tenancy.actors import Actor
from payables.tenancy.models import Company, CompanyUser

# What a person must have to re-route invoices, append approvers or edit routing rules.
MANAGER_ROLES = frozenset({"accountant", "admin"})


def find_user(company: Company, ref: str) -> CompanyUser | None:
    """A company user by UUID, email (any case) or external code."""
    users = CompanyUser.objects.filter(company=company)
    ref = ref.strip()
    try:
        found = users.filter(pk=uuid.UUID(ref)).first()
    except ValueError:
        found = None
    if found is None and "@" in ref:
        found = users.filter(email=ref.lower()).first()
    return found or users.filter(code=ref).first()


def invoice_amount(invoice: Invoice) -> Decimal:
    """The amount approval limits are compared with: gross in home currency, unsigned."""
    return abs(invoice.home_gross_amount)


def refusal_as_approver(user: CompanyUser) -> str | None:
    """Why this user cannot take any approval step, or None."""
    if not user.is_active:
        return "inactive"
    if "approver" not in user.roles:
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
    """Integrators act for the company; a person needs the accountant or admin role."""
    if actor.user is not None and not MANAGER_ROLES & set(actor.user.roles):
        raise RoleRequired()
