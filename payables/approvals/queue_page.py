"""The approver's queue page as JSON text, from plain values.

Building a ``QueueEntryOut`` and an ``InvoiceSummaryOut`` per entry from model instances,
and Ninja validating the page again, cost several times the page's SQL. The page is
written from the rows of ``Queue.entries`` instead, converted as the schemas convert
them; the tests compare it with the schema-built page.
"""

from __future__ import annotations

import json
from typing import Any

from payables.json_encoding import PreciseJSONEncoder, moment_text
from payables.money import format_amount


def page_json(rows: list[dict[str, Any]], count: int) -> str:
    """The page (``Page[QueueEntryOut]``) as JSON text."""
    return json.dumps({"items": [_entry(r) for r in rows], "count": count}, cls=PreciseJSONEncoder)


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    """One ``QueueEntryOut``, its keys in the schema's order (as ``summary_of`` builds it);
    ids, days and moments as the encoder would write them."""
    currency, due = row["invoice__currency"], row["invoice__due_date"]
    return {
        "step_id": str(row["id"]),
        "level": row["level"],
        "position": row["position"],
        "steps_in_chain": row["steps_in_chain"],
        "invoice": {
            "id": str(row["invoice_id"]),
            "internal_id": row["invoice__internal_id"],
            "invoice_number": row["invoice__invoice_number"],
            "status": row["invoice__status"],
            "supplier_id": str(row["invoice__supplier_id"]),
            "supplier_name": row["invoice__supplier__name"],
            "invoice_date": row["invoice__invoice_date"].isoformat(),
            "due_date": None if due is None else due.isoformat(),
            "currency": currency,
            "gross_amount": format_amount(row["invoice__gross_amount"], currency),
            "home_gross_amount": format_amount(
                row["invoice__home_gross_amount"], row["invoice__company__home_currency"]
            ),
            "modified_at": moment_text(row["invoice__modified_at"]),
        },
    }
