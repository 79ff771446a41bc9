"""API key scopes: what each key may do. A key has no scope unless it is given."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "invoices:read": "Read invoices, their attachments and payments",
    "invoices:write": "Create, update and cancel invoices; add attachments and payments",
    "masterdata:read": "Read suppliers and other master data",
    "masterdata:write": "Create and update suppliers and other master data",
    "events:read": "Read the event feed",
}
