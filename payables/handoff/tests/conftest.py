"""Fixtures of the hand-off tests: approved and exported invoices."""

from __future__ import annotations

from payables.handoff.tests.handoff_support import (  # noqa: F401 (fixtures)
    approved_invoice,
    approver,
    exported_invoice,
    make_approved,
    make_exported,
)
