"""What each role allows: the one table that services, the web and personal keys consult.

A person may do an action when one of their roles grants it (and they are active). Client
systems are limited by their key's scopes instead, which the API checks before a service
runs; a personal key never holds more scopes than its person's roles grant.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from payables.tenancy.actors import Actor
from payables.tenancy.errors import RoleRequired
from payables.tenancy.models import CompanyUser, Role


class Action(models.TextChoices):
    """Something a role may allow; the label completes "may …"."""

    APPROVE = "approve", "approve or reject the invoices waiting for them"
    MANAGE_APPROVALS = (
        "manage_approvals",
        "append approvers, re-route invoices and edit routing rules",
    )
    VIEW_ALL_INVOICES = "view_all_invoices", "see every invoice of the company"
    EDIT_INVOICES = "edit_invoices", "create, change, code and cancel invoices"
    EXPORT = "export", "export invoices, confirm bookings and report sync errors"
    MANAGE_ORDERS = (
        "manage_orders",
        "create, change, close and cancel purchase orders and record goods receipts",
    )
    READ_EVENTS = "read_events", "read the event feed"
    READ_MASTERDATA = "read_masterdata", "read suppliers and other master data"
    EDIT_MASTERDATA = "edit_masterdata", "change suppliers and other master data"
    MANAGE_WEBHOOKS = "manage_webhooks", "manage webhook subscriptions"


# Approving is a duty one is given, not a power of rank: an admin approves only when they
# hold the approver role too. Everything else an accountant may, an admin may as well.
_ACCOUNTANT = frozenset(
    {
        Action.MANAGE_APPROVALS,
        Action.VIEW_ALL_INVOICES,
        Action.EDIT_INVOICES,
        Action.EXPORT,
        Action.MANAGE_ORDERS,
        Action.READ_EVENTS,
        Action.READ_MASTERDATA,
    }
)
ACTIONS_BY_ROLE: dict[Role, frozenset[Action]] = {
    Role.APPROVER: frozenset({Action.APPROVE}),
    Role.ACCOUNTANT: _ACCOUNTANT,
    Role.ADMIN: frozenset(Action) - {Action.APPROVE},
}

# The API key scopes (``scopes.SCOPES``) each action needs, so a personal key can hold
# exactly what its person may do. An approver reads the invoices they decide on.
SCOPES_BY_ACTION: dict[Action, frozenset[str]] = {
    # Approvers may code what waits for them where their company allows it (coding services).
    Action.APPROVE: frozenset(
        {"approvals:read", "approvals:write", "invoices:read", "coding:read", "coding:write"}
    ),
    Action.MANAGE_APPROVALS: frozenset({"approvals:read", "approvals:write"}),
    Action.VIEW_ALL_INVOICES: frozenset({"invoices:read"}),
    Action.EDIT_INVOICES: frozenset(
        {
            "invoices:read",
            "invoices:write",
            "documents:read",
            "documents:write",
            "coding:read",
            "coding:write",
        }
    ),
    Action.EXPORT: frozenset({"export:read", "export:write"}),
    Action.MANAGE_ORDERS: frozenset({"orders:read", "orders:write"}),
    Action.READ_EVENTS: frozenset({"events:read"}),
    Action.READ_MASTERDATA: frozenset({"masterdata:read"}),
    Action.EDIT_MASTERDATA: frozenset({"masterdata:read", "masterdata:write"}),
    Action.MANAGE_WEBHOOKS: frozenset({"webhooks:read", "webhooks:write"}),
}


def _scopes_of(actions: Iterable[Action]) -> frozenset[str]:
    return frozenset().union(*(SCOPES_BY_ACTION[action] for action in actions))


PERSONAL_SCOPES_BY_ROLE: dict[Role, frozenset[str]] = {
    role: _scopes_of(actions) for role, actions in ACTIONS_BY_ROLE.items()
}


def actions_of(roles: Iterable[str]) -> frozenset[Action]:
    """Everything these roles allow together; an unknown role allows nothing.

    >>> actions_of(["approver"]) == {Action.APPROVE}
    True
    >>> Action.EXPORT in actions_of(["approver", "accountant"])
    True
    >>> actions_of(["janitor"])
    frozenset()
    """
    allowed: frozenset[Action] = frozenset()
    for role in roles:
        if role in Role.values:
            allowed |= ACTIONS_BY_ROLE[Role(role)]
    return allowed


def personal_scopes(roles: Iterable[str]) -> frozenset[str]:
    """The scopes a person with these roles may hold on a personal key (none without a role)."""
    return _scopes_of(actions_of(roles))


def roles_allowed(action: Action) -> list[Role]:
    """The roles that grant ``action``, in the order roles are stored."""
    return [role for role in Role if action in ACTIONS_BY_ROLE[role]]


def user_may(user: CompanyUser, action: Action) -> bool:
    """Whether this person may do ``action``: active, with a role that grants it."""
    return user.is_active and action in actions_of(user.roles)


def may(actor: Actor, action: Action) -> bool:
    """Whether ``actor`` may do ``action``.

    A person needs a role that grants it. An integrator (or the system) acts for the
    company as its key's scopes allow; the API checked those scopes before any service
    ran, so here it may do every action.
    """
    if actor.user is None:
        return True
    return user_may(actor.user, action)


def require(actor: Actor, action: Action) -> None:
    """Refuse with ``RoleRequired`` (403) unless ``actor`` may do ``action``."""
    if may(actor, action):
        return
    if not actor.user.is_active:
        raise RoleRequired("Your user is deactivated: you may no longer act.", code="user_inactive")
    who = " or ".join(_with_article(role) for role in roles_allowed(action))
    raise RoleRequired(f"Only {who} may {action.label}.")


def _with_article(role: Role) -> str:
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"
