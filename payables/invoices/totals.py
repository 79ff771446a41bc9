"""The money rules an invoice must satisfy before it is stored, checked to the cent."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from payables.errors import FieldError
from payables.invoices.inputs import InvoiceIn
from payables.money import (
    STORED_DIGITS,
    ZERO,
    currency_scale,
    fits_scale,
    fits_storage,
    quantize,
)

# The whole digits of a money column (19 digits, 4 decimals).
MONEY_WHOLE_DIGITS = 15


def check_totals(data: InvoiceIn, *, home_currency: str) -> list[FieldError]:
    """Return every money problem of the invoice: scale, sums, sign and a given rate.

    Rows must add up to the net amount, the VAT breakdown to the VAT amount (and its
    bases to the net amount), and net + VAT + rounding must equal gross.
    """
    errors = list(_scale_errors(data))
    if errors:
        return errors  # sums over amounts of the wrong scale would only repeat the problem
    cur = data.currency
    if data.rows:
        rows_net = sum((r.net_amount for r in data.rows), ZERO)
        if rows_net != data.net_amount:
            errors.append(
                _mismatch("net_amount", data.net_amount, "the sum of rows", rows_net, cur)
            )
    if data.vat_breakdown:
        vat_sum = sum((v.vat_amount for v in data.vat_breakdown), ZERO)
        if vat_sum != data.vat_amount:
            errors.append(
                _mismatch("vat_amount", data.vat_amount, "the VAT breakdown", vat_sum, cur)
            )
        base_sum = sum((v.base_amount for v in data.vat_breakdown), ZERO)
        if base_sum != data.net_amount:
            errors.append(
                _mismatch(
                    "vat_breakdown", base_sum, "net_amount", data.net_amount, cur, what="bases"
                )
            )
    expected_gross = data.net_amount + data.vat_amount + data.rounding_amount
    if expected_gross != data.gross_amount:
        errors.append(
            _mismatch(
                "gross_amount", data.gross_amount, "net + VAT + rounding", expected_gross, cur
            )
        )
    if data.type == "credit_note" and data.gross_amount > 0:
        errors.append(
            FieldError(
                "A credit note's amounts are negative (what the supplier owes back).",
                loc=["gross_amount"],
                code="credit_note_positive",
            )
        )
    errors.extend(_rate_errors(data, home_currency))
    return errors


def home_amount(amount: Decimal, rate: Decimal, home_currency: str) -> Decimal:
    """Convert to the home currency, rounded to its scale.

    >>> home_amount(Decimal("100.00"), Decimal("0.0890"), "EUR")
    Decimal('8.90')
    """
    return quantize(amount * rate, home_currency)


def check_home_amounts(data: InvoiceIn, rate: Decimal, *, home_currency: str) -> list[FieldError]:
    """Refuse a rate that takes a home-currency total past what every database stores.

    Beyond the money column's digits PostgreSQL refuses the row; beyond 15 significant
    digits SQLite rounds it (and, rounded up past the column, cannot read it back).
    """
    amounts = (data.net_amount, data.vat_amount, data.gross_amount)
    homes = [home_amount(amount, rate, home_currency) for amount in amounts]
    too_long = [h for h in homes if not fits_storage(h, whole_digits=MONEY_WHOLE_DIGITS)]
    if not too_long:
        return []
    return [
        FieldError(
            f"At the rate {rate} an amount comes to {too_long[0]} {home_currency}: more "
            f"than the {STORED_DIGITS} significant digits stored.",
            loc=["currency_rate"],
            code="home_amount_too_large",
        )
    ]


def _scale_errors(data: InvoiceIn) -> Iterator[FieldError]:
    cur = data.currency
    for name in ("net_amount", "vat_amount", "rounding_amount", "gross_amount"):
        if not fits_scale(getattr(data, name), cur):
            yield _scale_error([name], cur)
    for i, row in enumerate(data.rows):
        for name in ("net_amount", "vat_amount"):
            value = getattr(row, name)
            if value is not None and not fits_scale(value, cur):
                yield _scale_error(["rows", i, name], cur)
    for i, line in enumerate(data.vat_breakdown):
        for name in ("base_amount", "vat_amount"):
            if not fits_scale(getattr(line, name), cur):
                yield _scale_error(["vat_breakdown", i, name], cur)


def _rate_errors(data: InvoiceIn, home_currency: str) -> Iterator[FieldError]:
    rate = data.currency_rate
    if data.currency == home_currency:
        if rate is not None and rate != 1:
            yield FieldError(
                f"The invoice is in the home currency {home_currency}; currency_rate must be 1.",
                loc=["currency_rate"],
                code="currency_rate_invalid",
            )
    elif rate is not None and rate <= 0:
        # Without a rate, the company's or the ECB's applies (see choose_currency_rate).
        yield FieldError(
            f"currency_rate ({home_currency} per {data.currency}) must be positive.",
            loc=["currency_rate"],
            code="currency_rate_required",
        )


def _scale_error(loc: list, currency: str) -> FieldError:
    return FieldError(
        f"{currency} amounts have at most {currency_scale(currency)} decimals",
        loc=loc,
        code="amount_scale",
    )


def _mismatch(
    field: str, value: Decimal, other: str, other_value: Decimal, cur: str, *, what: str = ""
) -> FieldError:
    label = f"{field} {what}".strip()
    return FieldError(
        f"{label} {quantize(value, cur)} differs from {other} {quantize(other_value, cur)} "
        f"by {quantize(value - other_value, cur)} {cur}",
        loc=[field],
        code="totals_mismatch",
    )
