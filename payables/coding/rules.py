"""Rule-based coding (autotransactions). Scaffolding: replaced by the rules work."""

from __future__ import annotations

from payables.coding.drafts import LineDraft
from payables.invoices.models import Invoice


def code_by_rules(invoice: Invoice, drafts: list[LineDraft]) -> list[LineDraft]:
    """Code the uncoded lines by the first matching rule (``source`` = ``rule:<id>``)."""
    return drafts
