"""The VAT breakdown (BG-23), the tax totals (BT-110, BT-111) and the document totals (BG-22)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.model import Totals, VatBreakdown
from payables.einvoice.reader import DocumentReader
from payables.einvoice.ubl.reading import decimal, joined, required_decimal, string
from payables.einvoice.ubl.syntax import NS
from payables.einvoice.values import Children, Parent, find_at, findall_at
from payables.einvoice.xmlsafe import path_of


def tax_totals(
    reader: DocumentReader, root: Parent, currency: str
) -> tuple[Decimal | None, Decimal | None, tuple[VatBreakdown, ...]]:
    """BT-110 and BG-23 from the TaxTotal in the document currency; BT-111 from the other."""
    totals = findall_at(root, "cac:TaxTotal", NS)
    if not totals:
        return None, None, ()

    def in_currency(total: etree._Element) -> bool:
        amount = find_at(total, "cbc:TaxAmount", NS)
        code = "" if amount is None else (amount.get("currencyID") or "").strip().upper()
        return code in {"", currency} or not currency

    candidates = [t for t in totals if in_currency(t)] or totals
    main = next(
        (t for t in candidates if find_at(t, "cac:TaxSubtotal", NS) is not None), candidates[0]
    )
    others = [t for t in totals if t is not main]
    if not in_currency(main):
        reader.note(
            "PAY-UBL-TAXTOTAL",
            "warning",
            "No TaxTotal is in the document currency; the first one is read as BT-110",
            path_of(main),
        )
    breakdown = tuple(_vat_breakdown(e) for e in findall_at(main, "cac:TaxSubtotal", NS))
    accounting = decimal(others[0], "cbc:TaxAmount") if others else None
    return decimal(main, "cbc:TaxAmount"), accounting, breakdown


def _vat_breakdown(element: etree._Element) -> VatBreakdown:
    subtotal = Children(element)
    category = Children(find_at(subtotal, "cac:TaxCategory", NS))
    rate = decimal(category, "cbc:Percent")
    return VatBreakdown(
        category=string(category, "cbc:ID"),  # BT-118
        taxable_amount=required_decimal(subtotal, "cbc:TaxableAmount"),  # BT-116
        tax_amount=required_decimal(subtotal, "cbc:TaxAmount"),  # BT-117
        rate=rate if rate is not None else decimal(subtotal, "cbc:Percent"),  # BT-119
        exemption_reason=joined(category, "cbc:TaxExemptionReason"),  # BT-120
        exemption_reason_code=string(category, "cbc:TaxExemptionReasonCode"),  # BT-121
    )


def totals(
    total: etree._Element | None, tax: Decimal | None, tax_accounting: Decimal | None
) -> Totals:
    """BG-22 from ``cac:LegalMonetaryTotal``, with the tax totals read from TaxTotal."""
    total = Children(total)
    return Totals(
        line_net_total=decimal(total, "cbc:LineExtensionAmount"),  # BT-106
        allowance_total=decimal(total, "cbc:AllowanceTotalAmount"),  # BT-107
        charge_total=decimal(total, "cbc:ChargeTotalAmount"),  # BT-108
        tax_exclusive=decimal(total, "cbc:TaxExclusiveAmount"),  # BT-109
        tax_total=tax,  # BT-110
        tax_total_accounting=tax_accounting,  # BT-111
        tax_inclusive=decimal(total, "cbc:TaxInclusiveAmount"),  # BT-112
        prepaid=decimal(total, "cbc:PrepaidAmount"),  # BT-113
        rounding=decimal(total, "cbc:PayableRoundingAmount"),  # BT-114
        payable=decimal(total, "cbc:PayableAmount"),  # BT-115
    )
