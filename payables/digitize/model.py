"""What the engine returns: fields with value, confidence and where on the page they stood."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

FIELD_NAMES = (
    "seller_name",
    "seller_vat_id",
    "seller_registry_code",
    "buyer_name",
    "buyer_vat_id",
    "invoice_number",
    "issue_date",
    "due_date",
    "vat_date",
    "currency",
    "net_amount",
    "vat_amount",
    "gross_amount",
    "iban",
    "bic",
    "payment_reference",
    "order_number",
)
# The fields an invoice cannot be booked without; the accuracy bench scores them.
KEY_FIELDS = (
    "seller_vat_id",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "net_amount",
    "vat_amount",
    "gross_amount",
    "iban",
    "payment_reference",
)
# Reached only by validated values (a checksum, amounts that add up, an unambiguous
# labelled date, or a value found again where supplier memory says it stands).
ACCEPT_CONFIDENCE = 0.9

Box = tuple[float, float, float, float]
Value = str | Decimal | date


@dataclass(frozen=True)
class Field:
    """One extracted value and its source: page (1-based) and box as page fractions."""

    name: str
    value: Value
    confidence: float
    page: int
    box: Box  # x0, y0, x1, y1 as fractions of page width/height, origin top-left
    label: str = ""  # the label the value was found by: what supplier memory keeps
    source_text: str = ""
    validated: bool = False


@dataclass(frozen=True)
class Digitized:
    """The result of reading one document."""

    kind: str  # "pdf" | "png" | "jpeg" | "tiff"
    pages: int
    method: str  # "text" | "ocr" | "mixed"
    languages: tuple[str, ...]  # OCR languages used (empty for the text layer)
    fields: dict[str, Field] = field(default_factory=dict)
    vat_breakdown: tuple[dict, ...] = ()  # {"rate", "net", "vat"} (Decimals)
    lines: tuple[
        dict, ...
    ] = ()  # {"description", "quantity", "unit_price", "net_amount", "vat_rate"}
    text: str = ""  # all text, pages separated by "\f"


@dataclass(frozen=True)
class Word:
    """A word on a page: text, box (page fractions) and the reader's confidence (0..1)."""

    text: str
    page: int
    box: Box
    confidence: float = 1.0
    line: int = -1  # the OCR engine's line number; -1 for the text layer (rows by geometry)


@dataclass(frozen=True)
class Reading:
    """A document turned into words, page by page, before any field is looked for."""

    kind: str
    pages: tuple[tuple[Word, ...], ...]
    method: str
    languages: tuple[str, ...] = ()
