"""What a reading of a document holds, as the documents app stores it (JSON-ready).

The field names, the key fields and the confidence a field needs to be accepted are the
extraction engine's (``payables.digitize``); they are repeated here so that this app does
not import the engine except where it runs it (a test checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

FIELD_NAMES = (
    "seller_name", "seller_vat_id", "seller_registry_code", "buyer_name", "buyer_vat_id",
    "invoice_number", "issue_date", "due_date", "vat_date", "currency", "net_amount",
    "vat_amount", "gross_amount", "iban", "bic", "payment_reference", "order_number",
)  # fmt: skip
KEY_FIELDS = (
    "seller_vat_id", "invoice_number", "issue_date", "due_date", "currency", "net_amount",
    "vat_amount", "gross_amount", "iban", "payment_reference",
)  # fmt: skip
ACCEPT_CONFIDENCE = 0.9
DATE_FIELDS = frozenset({"issue_date", "due_date", "vat_date"})
AMOUNT_FIELDS = frozenset({"net_amount", "vat_amount", "gross_amount"})
MAX_TEXT = 1_000_000  # characters of a document's text that are kept


@dataclass(frozen=True)
class Reading:
    """What was read from a document: its fields (name → {value, confidence, …}), VAT
    breakdown, table lines and text, and how (``text``, ``ocr``, ``mixed``, ``e-invoice``)."""

    method: str
    fields: dict[str, dict[str, Any]]
    pages: int | None = None
    languages: tuple[str, ...] = ()
    vat_breakdown: list[dict[str, str]] = field(default_factory=list)
    lines: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


def json_value(value: object) -> object:
    """A field's value as JSON: dates ISO 8601, amounts decimal strings, text as it is.

    >>> json_value(date(2026, 11, 2)), json_value(Decimal("163.16")), json_value("INV-1")
    ('2026-11-02', '163.16', 'INV-1')
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_dicts(found: dict[str, Any]) -> dict[str, dict]:
    """The engine's ``Field``s by name as the JSON the app keeps (read by attribute name)."""
    return {
        name: {
            "value": json_value(field_.value),
            "confidence": round(float(field_.confidence), 4),
            "validated": bool(field_.validated),
            "page": field_.page,
            "box": [round(float(edge), 5) for edge in field_.box] if field_.box else None,
            "label": field_.label,
            "source_text": field_.source_text[:500],
        }
        for name, field_ in found.items()
    }


def reading_of(digitized: Any) -> Reading:
    """Turn the engine's ``Digitized`` into a ``Reading`` (its dataclasses, read by name)."""
    return Reading(
        method=digitized.method,
        fields=field_dicts(digitized.fields),
        pages=digitized.pages,
        languages=tuple(digitized.languages),
        vat_breakdown=[_json_row(row) for row in digitized.vat_breakdown],
        lines=[_json_row(row) for row in digitized.lines],
        text=digitized.text.replace("\x00", "")[:MAX_TEXT],
    )


def _json_row(row: dict) -> dict:
    return {key: json_value(value) for key, value in row.items()}


def exact_field(value: object) -> dict[str, Any]:
    """A field taken from exact data (an e-invoice's XML, an accountant's entry)."""
    return {
        "value": json_value(value),
        "confidence": 1.0,
        "validated": True,
        "page": None,
        "box": None,
        "label": "",
        "source_text": "",
    }


def is_accepted(found: dict[str, Any] | None) -> bool:
    """Whether a field may be taken without review: present and sure enough (the engine
    is that sure only of what it validated: a checksum, amounts that add up)."""
    return bool(
        found
        and found.get("value") not in (None, "")
        and float(found.get("confidence") or 0) >= ACCEPT_CONFIDENCE
    )
