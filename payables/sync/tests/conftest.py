"""Fixtures of the sync tests: approved and exported invoices for the feeds."""

from __future__ import annotations

from payables.invoices.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)
