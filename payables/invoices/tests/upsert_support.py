"""What the service-level upsert tests share: one call of the batch upsert, by outcome."""

from __future__ import annotations

from typing import Any

from payables.invoices.services import upsert_invoices
from payables.tenancy.actors import Actor


def upsert(actor: Actor, items: list[dict], **options: Any) -> list[str]:
    """Upsert ``items`` with the endpoint's default policy; answers each item's outcome."""
    report = upsert_invoices(
        items, actor=actor, import_policy="preserve_if_unique_else_fallback", **options
    )
    return [r.outcome for r in report.results]
