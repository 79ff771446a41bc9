"""API key scopes: what each key may do. A key has no scope unless it is given."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "invoices:read": "Read invoices, their attachments and payments",
    "invoices:write": "Create, update and cancel invoices; add attachments and payments",
    "masterdata:read": "Read suppliers and other master data",
    "masterdata:write": "Create and update suppliers and other master data",
    "events:read": "Read the event feed",
    "approvals:read": "Read approval queues, chains, routing rules and invoice history",
    "approvals:write": "Approve, reject, append approvers, re-route; edit routing rules",
    "export:read": "Pull the feeds of exported invoices and sync errors",
    "export:write": "Export invoices, confirm bookings, report sync errors",
    "webhooks:read": "Read webhook subscriptions and their deliveries",
    "webhooks:write": "Create, change and delete webhook subscriptions; redeliver messages",
}

# What a person's own key may do, by their roles: approvers decide and read invoices;
# accountants also keep invoices, master data and the hand-off; admins may do anything.
_APPROVER = {"approvals:read", "approvals:write", "invoices:read"}
_ACCOUNTANT = _APPROVER | {
    "invoices:write", "masterdata:read", "events:read", "export:read", "export:write",
}  # fmt: skip
PERSONAL_SCOPES_BY_ROLE: dict[str, frozenset[str]] = {
    "approver": frozenset(_APPROVER),
    "accountant": frozenset(_ACCOUNTANT),
    "admin": frozenset(SCOPES),
}


def personal_scopes(roles: list[str]) -> frozenset[str]:
    """The scopes a person with these roles may hold on a personal key (none without a role)."""
    allowed: frozenset[str] = frozenset()
    for role in roles:
        allowed |= PERSONAL_SCOPES_BY_ROLE.get(role, frozenset())
    return allowed
