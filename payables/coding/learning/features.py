"""Turning lines into features: normalised text, and tokens for supplier, item, currency and size.

The text keeps words and their shapes, not their numbers: invoice periods, dates and
quantities change on every invoice and say nothing about the coding ("mobile subscription
03/2025" and "mobile subscription 04/2025" are the same line to an accountant).
"""

from __future__ import annotations

import re
from decimal import Decimal

from payables.coding.learning.examples import Line

_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SQRT_TEN = Decimal("3.16227766")


def normalise_text(text: str) -> str:
    """Fold case, turn every number into ``0`` and collapse spaces.

    >>> normalise_text("Mobile  subscription 03/2025, INV 12345")
    'mobile subscription 0/0, inv 0'
    """
    return _SPACE.sub(" ", _NUMBER.sub("0", text.casefold())).strip()


def amount_bucket(amount: Decimal) -> str:
    """A half-decade log bucket of the amount's size, and its sign (credits differ).

    >>> [amount_bucket(Decimal(v)) for v in ("0", "2.50", "4", "31.99", "-120", "5000")]
    ['z', '0', '0h', '1h', '-2', '3h']
    """
    if not amount:
        return "z"
    size = abs(amount)
    exponent = size.adjusted()
    half = "h" if size >= _SQRT_TEN.scaleb(exponent) else ""
    return f"{'-' if amount < 0 else ''}{exponent}{half}"


def line_tokens(line: Line) -> list[str]:
    """The categorical tokens of a line, and the supplier's words (its own vocabulary).

    Supplier-word tokens let the linear model learn that "subscription" at a telecom and
    at a software vendor are booked to different accounts.

    >>> line_tokens(Line("s1", "Mobile plan", Decimal("25"), "EUR", "M-1"))
    ['s=s1', 'c=eur', 'a=1', 'i=m-1', 'sa=s1|1', 'sw=s1|mobile', 'sw=s1|plan']
    """
    bucket = amount_bucket(line.amount)
    supplier = line.supplier.replace(" ", "_")
    tokens = [f"s={supplier}", f"c={line.currency.casefold()}", f"a={bucket}"]
    if line.item_code:
        tokens.append(f"i={line.item_code.casefold().replace(' ', '_')}")
    tokens.append(f"sa={supplier}|{bucket}")
    words = dict.fromkeys(_WORD.findall(line.text.casefold()))
    tokens += [f"sw={supplier}|{word}" for word in words]
    return tokens


def split_tokens(text: str) -> list[str]:
    """The analyser of the token vectoriser: the tokens are already made."""
    return text.split(" ")
