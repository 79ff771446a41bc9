"""The Reader of one document (its syntax, limits and findings), amounts and dates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from payables.einvoice.cii.elements import child
from payables.einvoice.cii.syntax import Syntax
from payables.einvoice.dates import calendar_day
from payables.einvoice.model import Finding, ParseLimits
from payables.einvoice.xmlsafe import path_of, text, to_decimal

# CCYYMMDD (102), CCYYMMDDHHMM (203), CCYYMMDDHHMMSS (204) or ISO 8601 (ZUGFeRD 1.0 references).
_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:$|[T\s]|\d{4}(?:\d{2})?$)")


class Reader:
    """Maps one parsed document to an Invoice, collecting findings on the way."""

    def __init__(self, syntax: Syntax, limits: ParseLimits) -> None:
        self.s = syntax
        self.limits = limits
        self.findings: list[Finding] = []

    def note(
        self, rule_id: str, severity: str, message: str, element: etree._Element | None = None
    ) -> None:
        location = path_of(element) if element is not None else ""
        self.findings.append(Finding(rule_id, severity, message, location))

    def date(self, container: etree._Element | None) -> date | None:
        """Read a date held directly or in a DateTimeString / DateString child."""
        if container is None:
            return None
        holder = child(container, "DateTimeString|DateString")
        if holder is None:
            holder = container
        value = text(holder)
        if not value:
            return None
        day = read_date(value, holder.get("format", "102"))
        if day is None:
            self.note(
                "PAY-CII-DATE",
                "warning",
                f"{value!r} is not a calendar day (format {holder.get('format', '102')}); "
                "the date is left empty",
                holder,
            )
        return day


def amount(element: etree._Element | None) -> Decimal | None:
    """The element's amount; None when absent or empty."""
    value = text(element)
    if not value:
        return None
    return to_decimal(value, element=element)


def read_date(value: str, fmt: str = "102") -> date | None:
    """A calendar day from a CII date (format 102 = CCYYMMDD, or ISO 8601); None if none.

    >>> read_date("20180305"), read_date("2013-08-01T00:00:00", "")
    (datetime.date(2018, 3, 5), datetime.date(2013, 8, 1))
    >>> read_date("201803051230", "203"), read_date("201803", "610") is None
    (datetime.date(2018, 3, 5), True)
    >>> read_date("20181345") is None, read_date("2018030") is None
    (True, True)
    """
    if fmt not in ("102", "203", "204", ""):
        return None
    match = _DAY.match(value.strip())
    if match is None:
        return None
    return calendar_day(*match.groups())
