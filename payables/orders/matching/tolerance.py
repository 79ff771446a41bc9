"""Tolerances: how far an invoice may stray from its order and still count as matched."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tolerance:
    """Limits of one company, or of one of its suppliers.

    A limit of None does not apply; zero means exact. Where a percent and an amount are
    both set, a difference must stay within both (the stricter one decides).
    """

    price_percent: Decimal | None = ZERO
    price_amount: Decimal | None = None
    quantity_percent: Decimal | None = ZERO
    total_percent: Decimal | None = None
    total_amount: Decimal | None = ZERO


def beyond(
    difference: Decimal, base: Decimal, percent: Decimal | None, amount: Decimal | None
) -> bool:
    """Whether a (non-negative) difference exceeds a set limit: ``percent`` of ``base``,
    or ``amount``."""
    if percent is not None and difference > abs(base) * percent / 100:
        return True
    return amount is not None and difference > amount
