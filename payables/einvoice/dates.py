"""Calendar days from the date texts that e-invoices write."""

from __future__ import annotations

import re
from datetime import date

# xsd:date: YYYY-MM-DD with an optional time zone.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")


def calendar_day(year: str, month: str, day: str) -> date | None:
    """The day the digits name; None for one the calendar lacks (a 30 February)."""
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def iso_date(value: str) -> date | None:
    """An xsd:date (YYYY-MM-DD, maybe with a time zone) as a day; None for anything else."""
    match = _ISO_DATE.fullmatch(value)
    return calendar_day(*match.groups()) if match else None
