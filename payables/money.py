"""Decimal money helpers: currency scales, quantising and formatting. Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

# ISO 4217 minor units for currencies whose scale is not 2.
_SCALES = {
    "BHD": 3, "CLF": 4, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "LYD": 3, "OMR": 3, "TND": 3, "UGX": 0, "VND": 0, "XAF": 0, "XOF": 0, "CLP": 0,
}  # fmt: skip

ZERO = Decimal(0)
# SQLite keeps a decimal column's value as a REAL, exact to 15 significant digits only: a
# longer one comes back rounded, or (rounded up past the column's digits) not at all. So
# what payables stores stays within them, on every database.
STORED_DIGITS = 15


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
    return amount.quantize(_unit(currency), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=256)
def _unit(currency: str) -> Decimal:
    """The currency's smallest unit (0.01); kept, as answers format thousands of amounts."""
    return Decimal(1).scaleb(-currency_scale(currency))


def fits_scale(amount: Decimal, currency: str) -> bool:
    """Tell whether an amount has no more decimals than its currency allows.

    >>> fits_scale(Decimal("1.50"), "EUR"), fits_scale(Decimal("1.505"), "EUR")
    (True, False)
    """
    return amount == quantize(amount, currency)


def significant_digits(value: Decimal) -> int:
    """Count the digits of a value without its leading and trailing zeros.

    >>> significant_digits(Decimal("0.0120")), significant_digits(Decimal("1200"))
    (2, 2)
    """
    return len(value.normalize().as_tuple().digits) if value else 0


def fits_storage(value: Decimal, *, whole_digits: int) -> bool:
    """Tell whether every database stores a value exactly in a column with ``whole_digits``
    before the point: at most ``STORED_DIGITS`` significant digits, and no more whole ones.

    >>> fits_storage(Decimal("9999999999999.99"), whole_digits=15)
    True
    >>> fits_storage(Decimal("99999999999999.99"), whole_digits=15)
    False
    >>> fits_storage(Decimal("1E+15"), whole_digits=15)
    False
    """
    return value.is_finite() and (
        not value
        or (significant_digits(value) <= STORED_DIGITS and value.adjusted() < whole_digits)
    )


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
