"""Automatic coding of the lines an invoice leaves uncoded: rules first, then suggestions."""

from __future__ import annotations

from payables.coding.drafts import LineDraft
from payables.coding.rules import code_by_rules
from payables.coding.suggestions import apply_confident_suggestions
from payables.invoices.models import Invoice


def autocode(invoice: Invoice, drafts: list[LineDraft]) -> list[LineDraft]:
    """Code uncoded lines by the company's rules, then by suggestions above its threshold."""
    drafts = code_by_rules(invoice, drafts)
    return apply_confident_suggestions(invoice, drafts)
