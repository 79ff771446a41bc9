"""Shared helpers of the Finvoice rendering tests: the official Finvoice 3.0 schema (read
from the shared corpus, never copied into the repository), the round trip, and what of an
invoice a Finvoice document must carry back.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pytest
from lxml import etree

from payables.einvoice import finvoice
from payables.einvoice.finvoice.writer import negated
from payables.einvoice.model import Address, Invoice, Line, ParseLimits, Party
from payables.einvoice.tests.corpus import CORPUS_DIR

FINVOICE_XSD = CORPUS_DIR / "xsd" / "finvoice-3.0" / "Finvoice3.0.xsd"
LIMITS = ParseLimits()
CENT = Decimal("0.01")


@cache
def _schema() -> etree.XMLSchema | None:
    if not FINVOICE_XSD.exists():
        return None
    return etree.XMLSchema(etree.parse(str(FINVOICE_XSD)))


def schema_errors(data: bytes) -> list[str]:
    """What the official Finvoice3.0.xsd says of the document ([] when it is valid)."""
    schema = _schema()
    if schema is None:
        pytest.skip(f"the Finvoice 3.0 schema is absent: expected at {FINVOICE_XSD}")
    if schema.validate(etree.fromstring(data)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def round_trip(invoice: Invoice) -> Invoice:
    """The invoice written as Finvoice and read back with payables' Finvoice reader."""
    (back,) = finvoice.parse(finvoice.render(invoice), limits=LIMITS).invoices
    return back


def carried(invoice: Invoice, *, sign: Decimal = Decimal(1)) -> dict:
    """What a Finvoice document carries of the invoice, each amount times ``sign``.

    Finvoice states a credit note negative (``sign`` -1 for one stated positive), the
    amount due in cents, no due date as the issue date, long text over several elements
    (white space may change), discounts before charges, and a postal address only whole.
    """

    def amount(value: Decimal | None) -> Decimal | None:
        return None if value is None else value * sign

    totals = invoice.totals
    due = totals.payable if totals.payable is not None else totals.tax_inclusive
    return {
        "number": invoice.number,
        "type_code": invoice.type_code,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date or invoice.issue_date,
        "tax_point_date": invoice.tax_point_date,
        "currency": invoice.currency,
        "net": amount(totals.tax_exclusive),
        "vat": amount(totals.tax_total),
        "gross": amount(totals.tax_inclusive),
        "line_net_total": amount(totals.line_net_total),
        "prepaid": amount(totals.prepaid),
        "rounding": amount(totals.rounding),
        "amount_due": None if due is None else (due * sign).quantize(CENT, ROUND_HALF_UP),
        "vat_per_rate": sorted(
            (v.category, _rate(v.rate), v.taxable_amount * sign, v.tax_amount * sign)
            for v in invoice.vat_breakdown
        ),
        "seller": _party(invoice.seller),
        "buyer": _party(invoice.buyer),
        "rows": [_row(line, sign) for line in invoice.lines],
        "allowances_charges": sorted(
            (ac.is_charge, ac.amount * sign, ac.vat_category, _rate(ac.vat_rate))
            for ac in invoice.allowances_charges
        ),
        "order_reference": invoice.order_reference,
        "buyer_reference": invoice.buyer_reference,
        "notes": " ".join(" ".join(invoice.notes).split()),
        "payment_terms": " ".join(invoice.payment_terms.split()),
        "account": _account(invoice),
    }


def _party(party: Party) -> dict:
    address = party.address
    whole = bool(address.lines and address.city and address.postal_code)
    return {
        "name": " ".join(party.name.split()),
        "registry_id": party.registry_id,
        "vat_id": party.vat_id,
        "address": (
            (
                tuple(line.strip()[:35].strip() for line in address.lines[:3]),
                address.city,
                address.postal_code,
                address.country,
            )
            if whole and address != Address()
            else None
        ),
    }


def _row(line: Line, sign: Decimal) -> tuple:
    price = line.net_price
    if price is not None and line.price_base_quantity:
        price = price / line.price_base_quantity  # Finvoice may state it per a larger base
    quantity = None if line.quantity is None else line.quantity * sign
    return (line.id, line.line_net * sign, quantity, price, _rate(line.vat_rate))


def _rate(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else rate.normalize()


def _account(invoice: Invoice) -> str:
    means = invoice.payment_means[0] if invoice.payment_means else None
    return means.iban.replace(" ", "").upper() if means else ""


def sign_of(invoice: Invoice) -> Decimal:
    """-1 where Finvoice states the invoice's amounts with the other sign."""
    return Decimal(-1) if negated(invoice) else Decimal(1)
