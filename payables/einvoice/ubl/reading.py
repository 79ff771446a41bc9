"""Typed values at a ``cac:``/``cbc:`` path below an element."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payables.einvoice.dates import iso_date
from payables.einvoice.errors import MalformedDocument
from payables.einvoice.ubl.syntax import NS
from payables.einvoice.values import Parent, decimal_at, element_of, find_at, text_at, texts_at
from payables.einvoice.xmlsafe import path_of, text


def string(element: Parent, path: str) -> str:
    """The text at a ``cac:``/``cbc:`` path; "" when the element or the path is absent."""
    return text_at(element, path, NS)


def joined(element: Parent, path: str) -> str:
    """Repeatable text elements that the model holds as one string, one per line."""
    return "\n".join(texts_at(element, path, NS))


def scheme(element: Parent, path: str) -> str:
    """The ``schemeID`` of the identifier at ``path``."""
    found = find_at(element, path, NS)
    return "" if found is None else (found.get("schemeID") or "").strip()


def decimal(element: Parent, path: str) -> Decimal | None:
    """The amount at ``path``; None when absent or empty."""
    return decimal_at(element, path, NS)


def required_decimal(element: Parent, path: str) -> Decimal:
    """An amount the model cannot do without: refused with its location when absent."""
    value = decimal(element, path)
    if value is None:
        where = f"{path_of(element_of(element))}/{path}"
        raise MalformedDocument(f"{path} is missing or empty", location=where)
    return value


def day(element: Parent, path: str) -> date | None:
    """An xsd:date at ``path``; a value that is not one is refused with its location."""
    found = find_at(element, path, NS)
    value = text(found)
    if not value:
        return None
    parsed = iso_date(value)
    if parsed is None:
        raise MalformedDocument(f"Not a date (YYYY-MM-DD): {value!r}", location=path_of(found))
    return parsed
