"""Learned coding suggestions. Scaffolding: replaced by the learning work."""

from __future__ import annotations

from payables.coding.drafts import LineDraft
from payables.invoices.models import Invoice


def apply_confident_suggestions(invoice: Invoice, drafts: list[LineDraft]) -> list[LineDraft]:
    """Apply suggestions at or above the company's threshold to uncoded lines."""
    return drafts
