"""Typed values at a path below an element: what every mapping reads, None-safe.

The parent may be absent (an optional group the document leaves out); then the value is
empty, not an error. A number that does not read is refused with its location.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.xmlsafe import path_of, text, to_decimal


def text_at(
    parent: etree._Element | None, path: str, namespaces: dict[str, str] | None = None
) -> str:
    """The stripped text of the first element at ``path``; "" when there is none."""
    return "" if parent is None else text(parent.find(path, namespaces))


def texts_at(
    parent: etree._Element | None, path: str, namespaces: dict[str, str] | None = None
) -> list[str]:
    """The non-empty texts of every element at ``path``, in document order."""
    if parent is None:
        return []
    return [value for element in parent.findall(path, namespaces) if (value := text(element))]


def decimal_at(
    parent: etree._Element | None, path: str, namespaces: dict[str, str] | None = None
) -> Decimal | None:
    """The amount at ``path`` (a decimal comma is fine); None when absent or empty."""
    found = None if parent is None else parent.find(path, namespaces)
    value = text(found)
    return to_decimal(value, where=path_of(found)) if value else None
