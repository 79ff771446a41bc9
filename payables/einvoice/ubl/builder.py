"""UBL elements as the writer needs them: namespaced names, amounts in the invoice's
currency, fixed-point decimals, and only text that XML 1.0 can hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from payables.einvoice.ubl.syntax import NS
from payables.einvoice.xmlsafe import xml_text


class Builder:
    """Adds ``cac:``/``cbc:`` children; the value helpers leave out what the invoice lacks."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def element(
        parent: etree._Element, name: str, value: str | None = None, **attrib: str
    ) -> etree._Element:
        prefix, local = name.split(":")
        attributes = {key: xml_text(value) for key, value in attrib.items()}
        child = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}", attributes)
        if value is not None:
            child.text = xml_text(value)
        return child

    def text(self, parent: etree._Element, name: str, value: str, **attrib: str) -> None:
        if value:
            self.element(parent, name, value, **{k: v for k, v in attrib.items() if v})

    def identifier(self, parent: etree._Element, name: str, value: str, scheme: str) -> None:
        """An identifier with its scheme, written when either is known (even one alone)."""
        if value or scheme:
            self.element(parent, name, value, **({"schemeID": scheme} if scheme else {}))

    def amount(
        self, parent: etree._Element, name: str, value: Decimal | None, currency: str | None = None
    ) -> None:
        if value is not None:
            self.element(
                parent,
                name,
                xsd_decimal(value),
                currencyID=self.currency if currency is None else currency,
            )

    def number(self, parent: etree._Element, name: str, value: Decimal | None) -> None:
        if value is not None:
            self.element(parent, name, xsd_decimal(value))

    def day(self, parent: etree._Element, name: str, value: date | None) -> None:
        if value is not None:
            self.element(parent, name, value.isoformat())


def xsd_decimal(value: Decimal) -> str:
    """xsd:decimal text: fixed point, never an exponent, trailing zeros kept.

    >>> xsd_decimal(Decimal("1.5E+3")), xsd_decimal(Decimal("10.50"))
    ('1500', '10.50')
    >>> xsd_decimal(Decimal("-0.001"))
    '-0.001'
    """
    return format(value, "f")
