"""Template filters of the web inbox: money with its currency's decimals, quantities, dimensions."""

from __future__ import annotations

from decimal import Decimal

from django import template

from payables.money import format_amount, format_decimal

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """``{{ invoice.gross_amount|money:invoice.currency }}`` → ``1234.50`` (no currency sign)."""
    if amount is None:
        return ""
    return format_amount(amount, currency)


@register.filter
def number(value: Decimal | None) -> str:
    """A quantity, unit price or VAT rate without trailing zeros."""
    if value is None:
        return ""
    return format_decimal(value)


@register.filter
def percent(probability: Decimal | None) -> str:
    """A probability from 0 to 1 in whole percent: ``Decimal("0.9312")`` → ``93 %``."""
    if probability is None:
        return ""
    return f"{(probability * 100).quantize(Decimal(1))} %"


@register.filter
def dimension_pairs(dimensions: dict | None) -> list[tuple[str, str]]:
    """A row's dimensions (type code → value code) as sorted pairs."""
    if not dimensions:
        return []
    return sorted((str(k), str(v)) for k, v in dimensions.items())


@register.filter
def action_words(action: str) -> str:
    """An audit action code in words: ``payment_recorded`` → ``payment recorded``."""
    return action.replace("_", " ")
