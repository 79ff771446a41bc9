"""Decimal money helpers: currency scales, quantising and formatting. Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units for currencies whose scale is not 2.
_SCALES = {
    "BHD": 3, "CLF": 4, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "LYD": 3, "OMR": 3, "TND": 3, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0, "CLP": 0,
}  # fmt: skip

ZERO = Decimal(0)


def currency_scale(currency: str) -> int:
    """Return the number of decimals a currency's amounts have.

    >>> currency_scale("EUR"), currency_scale("JPY"), currency_scale("BHD")
    (2, 0, 3)
    """
    return _SCALES.get(currency.upper(), 2)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's scale, as invoices are rounded.

    >>> quantize(Decimal("10.005"), "EUR")
    Decimal('10.01')
    """
    return amount.quantize(Decimal(1).scaleb(-currency_scale(currency)), rounding=ROUND_HALF_UP)


def fits_scale(amount: Decimal, currency: str) -> bool:
    """Tell whether an amount has no more decimals than its currency allows.

    >>> fits_scale(Decimal("1.50"), "EUR"), fits_scale(Decimal("1.505"), "EUR")
    (True, False)
    """
    return amount == quantize(amount, currency)


def format_amount(amount: Decimal, currency: str) -> str:
    """Write an amount as a string with exactly the currency's scale.

    >>> format_amount(Decimal("9999999999.9900"), "EUR")
    '9999999999.99'
    """
    return f"{quantize(amount, currency):f}"


def format_decimal(value: Decimal) -> str:
    """Write a quantity or unit price without trailing zeros or exponent.

    >>> format_decimal(Decimal("10.500000")), format_decimal(Decimal("100"))
    ('10.5', '100')
    """
    normal = value.normalize()
    return f"{normal:f}" if normal != normal.to_integral() else f"{normal.to_integral():f}"
