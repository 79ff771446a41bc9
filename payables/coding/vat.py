"""Proportional VAT: a VAT code's non-deductible share, and reverse charge.

Of a line's input VAT, ``non_deductible_share`` percent is a cost: it is added to the
expense (``expense_amount`` = net + non-deductible VAT) and the rest is reclaimed. With a
reverse-charge code the invoice charges no VAT; the buyer self-assesses net * rate as
output VAT and claims it as input VAT, split the same way (both sides).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from payables.masterdata.models import VatCode
from payables.money import ZERO, quantize
from payables.tenancy.models import Company

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    """A posting line's amounts, each rounded to the currency's scale."""

    net_amount: Decimal
    vat_amount: Decimal
    reverse_charge_vat_amount: Decimal
    deductible_vat_amount: Decimal
    non_deductible_vat_amount: Decimal
    expense_amount: Decimal


def vat_codes_by_code(company: Company, codes: Iterable[str]) -> dict[str, VatCode]:
    """The company's VAT codes with these codes, in one query."""
    wanted = {code for code in codes if code}
    if not wanted:
        return {}
    return {v.code: v for v in VatCode.objects.filter(company=company, code__in=wanted)}


def line_amounts(
    net: Decimal, vat: Decimal, vat_code: VatCode | None, currency: str
) -> LineAmounts:
    """Split a line's VAT by its code's treatment; unknown or no code: all deductible.

    >>> code = VatCode(rate=Decimal(24), non_deductible_share=Decimal(50))
    >>> a = line_amounts(Decimal("100.00"), Decimal("24.00"), code, "EUR")
    >>> a.deductible_vat_amount, a.non_deductible_vat_amount, a.expense_amount
    (Decimal('12.00'), Decimal('12.00'), Decimal('112.00'))
    >>> rc = VatCode(rate=Decimal(24), is_reverse_charge=True, non_deductible_share=Decimal(0))
    >>> line_amounts(Decimal("100.00"), Decimal(0), rc, "EUR").reverse_charge_vat_amount
    Decimal('24.00')
    """
    reverse_charge = ZERO
    input_vat = vat
    share = ZERO
    if vat_code is not None:
        share = vat_code.non_deductible_share or ZERO
        if vat_code.is_reverse_charge:
            reverse_charge = quantize(net * vat_code.rate / HUNDRED, currency)
            input_vat = reverse_charge
    non_deductible = quantize(input_vat * share / HUNDRED, currency)
    return LineAmounts(
        net_amount=net,
        vat_amount=vat,
        reverse_charge_vat_amount=reverse_charge,
        # So the two parts add up to the VAT exactly, whatever the rounding.
        deductible_vat_amount=input_vat - non_deductible,
        non_deductible_vat_amount=non_deductible,
        expense_amount=net + non_deductible,
    )


def charged_vat(net: Decimal, vat_code: VatCode | None, currency: str) -> Decimal:
    """The VAT a line's code charges on its net: none for reverse charge or without a code.

    >>> charged_vat(Decimal("100.00"), VatCode(rate=Decimal(24)), "EUR")
    Decimal('24.00')
    """
    if vat_code is None or vat_code.is_reverse_charge:
        return quantize(ZERO, currency)
    return quantize(net * vat_code.rate / HUNDRED, currency)
