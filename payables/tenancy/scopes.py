"""API key scopes: what each key may do. A key has no scope unless it is given.

Which scopes a person's own key may hold follows from their roles: ``permissions``.
"""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "invoices:read": "Read invoices, their attachments and payments",
    "invoices:write": "Create, update and cancel invoices; add attachments and payments",
    "masterdata:read": "Read suppliers and other master data",
    "masterdata:write": "Create and update suppliers and other master data",
    "documents:read": "Read uploaded documents and the feed of digitized documents",
    "documents:write": "Upload documents (PDFs, scans, e-invoices) for digitizing",
    "events:read": "Read the event feed",
    "approvals:read": "Read approval queues, chains, routing rules and invoice history",
    "approvals:write": "Approve, reject, append approvers, re-route; edit routing rules",
    "coding:read": "Read posting lines, prebooking splits, coding rules and suggestions",
    "coding:write": "Change posting lines and prebooking splits; edit coding rules",
    "orders:read": "Read purchase orders and their goods receipts",
    "orders:write": "Create, update, close and cancel purchase orders; record goods receipts",
    "export:read": "Pull the feeds of exported invoices and sync errors",
    "export:write": "Export invoices, confirm bookings, report sync errors",
    "webhooks:read": "Read webhook subscriptions and their deliveries",
    "webhooks:write": "Create, change and delete webhook subscriptions; redeliver messages",
}
