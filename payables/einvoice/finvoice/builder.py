"""Finvoice elements as the writer needs them: no namespace, decimal commas, ``CCYYMMDD``
dates, amounts with their currency, and values fitted to the Finvoice 3.0 schema's types."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from payables.einvoice.xmlsafe import xml_text

# Patterns of the schema's simple types, as the writer checks values against them.
CODE = re.compile(r"[A-Z0-9]{1,3}")  # untdid1001, 4461, 5189, 5305, 7161
UNIT_CODE = re.compile(r"[A-Z0-9]{2,3}")  # unitCodeUN (UN/ECE Rec 20)
SCHEME = re.compile(r"[0-9]{4}")  # iso6523cid
EXEMPTION_CODE = re.compile(r"[A-Za-z0-9\-]{1,20}")  # VatExReasonCodeType
COUNTRY = re.compile(r"[A-Z]{2}")  # CountryCodeType
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")  # ISO 9362, in an 8-11 NMTOKEN
IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")  # ISO 13616
ACCOUNT = re.compile(r"[A-Za-z0-9-]{1,34}")  # a BBAN, in genericNMtokenType1_34
# EpiRemittanceInfoIdentifierPattern: a Finnish reference number (SPY) or an RF creditor
# reference (ISO 11649).
FINNISH_REFERENCE = re.compile(r"[0-9]{2,20}")
RF_REFERENCE = re.compile(r"RF[0-9]{2}[0-9A-Za-z]{1,21}")
MAX_PERCENT = Decimal(1000)  # percentage: up to three digits and four decimals


class Builder:
    """Adds Finvoice children; the value helpers leave out what the invoice lacks."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    @staticmethod
    def element(
        parent: etree._Element, name: str, value: str | None = None, **attrib: str
    ) -> etree._Element:
        child = etree.SubElement(parent, name, {k: xml_text(v) for k, v in attrib.items()})
        if value is not None:
            child.text = xml_text(value)
        return child

    def text(self, parent: etree._Element, name: str, value: str, limit: int) -> None:
        """Descriptive text, cut to the element's length (a shorter name beats no document)."""
        value = xml_text(value).strip()[:limit].strip()
        if value:
            self.element(parent, name, value)

    def texts(self, parent: etree._Element, name: str, value: str, limit: int) -> None:
        """Text over as many repetitions of the element as it needs (split at spaces)."""
        for piece in pieces(value, limit):
            self.element(parent, name, piece)

    def identifier(
        self, parent: etree._Element, name: str, value: str, limit: int, **attrib: str
    ) -> None:
        """An identifier, left out when it is longer than the element: cut, it would name
        something else."""
        value = xml_text(value).strip()
        if value and len(value) <= limit:
            self.element(parent, name, value, **{k: v for k, v in attrib.items() if v})

    def amount(
        self, parent: etree._Element, name: str, value: Decimal | None, currency: str = ""
    ) -> None:
        if value is not None:
            self.element(
                parent,
                name,
                amount_text(value),
                AmountCurrencyIdentifier=currency or self.currency,
            )

    def percent(self, parent: etree._Element, name: str, value: Decimal | None) -> None:
        text = percent_text(value)
        if text is not None:
            self.element(parent, name, text)

    def code(self, parent: etree._Element, name: str, value: str, pattern: re.Pattern) -> None:
        if pattern.fullmatch(value):
            self.element(parent, name, value)

    def day(self, parent: etree._Element, name: str, value: date | None) -> None:
        if value is not None:
            self.element(parent, name, value.strftime("%Y%m%d"), Format="CCYYMMDD")


def amount_text(value: Decimal) -> str:
    """A Finvoice amount: a decimal comma and two to five decimals (past five, rounded half up).

    >>> amount_text(Decimal("1E+3")), amount_text(Decimal("-0.5")), amount_text(Decimal("0.123450"))
    ('1000,00', '-0,50', '0,12345')
    >>> amount_text(Decimal("1.0000004"))
    '1,00000'
    """
    places = min(max(-value.normalize().as_tuple().exponent, 2), 5)
    return _comma(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def epi_amount_text(value: Decimal) -> str:
    """The payment order's amount: exactly two decimals, as a bank pays it.

    >>> epi_amount_text(Decimal("12.345")), epi_amount_text(Decimal("-7"))
    ('12,35', '-7,00')
    """
    return _comma(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent_text(value: Decimal | None) -> str | None:
    """A rate as the schema's percentage holds it, else None (negative, or too precise).

    >>> percent_text(Decimal("24.00")), percent_text(Decimal("25.5")), percent_text(Decimal(0))
    ('24', '25,5', '0')
    >>> percent_text(Decimal("-1")), percent_text(Decimal("7.12345"))
    (None, None)
    """
    if value is None or value < 0 or value >= MAX_PERCENT:
        return None
    value = value.normalize()
    if value.as_tuple().exponent < -4:
        return None
    return _comma(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def quantity_text(value: Decimal) -> str:
    """A quantity, decimal comma, without trailing zeros.

    >>> quantity_text(Decimal("2.500")), quantity_text(Decimal("1E+2"))
    ('2,5', '100')
    """
    value = value.normalize()
    return _comma(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def pieces(value: str, limit: int) -> list[str]:
    r"""The text in one piece if it fits, else cut at white space into pieces of at most
    ``limit`` characters (a word longer than that is cut).

    >>> pieces("Payment within\n14 days net", 14)
    ['Payment within', '14 days net']
    >>> pieces("abcdefgh ij", 4), pieces(" fits ", 4)
    (['abcd', 'efgh', 'ij'], ['fits'])
    """
    value = xml_text(value).strip()
    if len(value) <= limit:
        return [value] if value else []
    result: list[str] = []
    for word in value.split():
        while len(word) > limit:
            result.append(word[:limit])
            word = word[limit:]
        if result and len(result[-1]) + 1 + len(word) <= limit:
            result[-1] += " " + word
        elif word:
            result.append(word)
    return result


def _comma(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")
