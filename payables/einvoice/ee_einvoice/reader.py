"""The Reader of one file (its limits and findings), dates, and amounts to the cent."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from payables.einvoice.dates import calendar_day, iso_date
from payables.einvoice.reader import DocumentReader
from payables.einvoice.values import find_at, text_at
from payables.einvoice.xmlsafe import path_of, text

# The description allows D.M.YYYY beside YYYY-MM-DD.
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CENT = Decimal("0.01")


class Reader(DocumentReader):
    """Reads the invoices of one file; a date that does not read is noted and left empty."""

    def day(self, element: etree._Element | None, path: str) -> date | None:
        found = find_at(element, path)
        value = text(found)
        if not value:
            return None
        parsed = iso_date(value) or _dotted_date(value)
        if parsed is None:
            self.note("EE-DATE", "warning", f"Not a date (YYYY-MM-DD): {value!r}", path_of(found))
        return parsed


def _dotted_date(value: str) -> date | None:
    match = _DOTTED_DATE.fullmatch(value)
    return calendar_day(match[3], match[2], match[1]) if match else None


def cents(value: Decimal) -> Decimal:
    """Rounded half up to the cent, as the description computes row sums."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def extension_text(element: etree._Element) -> str:
    """An information field as text: "name: content", or the content alone."""
    name, content = text_at(element, "InformationName"), text_at(element, "InformationContent")
    return f"{name}: {content}" if name and content else content
