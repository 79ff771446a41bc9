"""Document discounts and charges (BG-20, BG-21), the VAT breakdown (BG-23), the totals (BG-22)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.finvoice.codes import vat_category
from payables.einvoice.model import AllowanceCharge, Finding, Line, Totals, VatBreakdown
from payables.einvoice.values import Parent, decimal_at, findall_at, text_at, texts_at
from payables.einvoice.xmlsafe import path_of


def document_allowances(details: Parent, findings: list[Finding]) -> tuple[AllowanceCharge, ...]:
    """Document-level discounts (BG-20) and charges (BG-21), new in Finvoice 3.0."""
    result = []
    for name, reason, is_charge in (
        ("DiscountDetails", "FreeText", False),
        ("ChargeDetails", "ReasonText", True),
    ):
        for element in findall_at(details, name):
            amount = decimal_at(element, "Amount")  # BT-92 / BT-99
            if amount is None:
                findings.append(
                    Finding(
                        "FINVOICE-ALLOWANCE",
                        "warning",
                        f"{name} without an Amount was left out",
                        path_of(element),
                    )
                )
                continue
            rate = decimal_at(element, "VatRatePercent")  # BT-96 / BT-103
            result.append(
                AllowanceCharge(
                    is_charge=is_charge,
                    amount=amount,
                    base_amount=decimal_at(element, "BaseAmount"),  # BT-93 / BT-100
                    percentage=decimal_at(element, "Percent"),  # BT-94 / BT-101
                    vat_category=vat_category(text_at(element, "VatCategoryCode"), rate),
                    vat_rate=rate,
                    reason=text_at(element, reason),  # BT-97 / BT-104
                    reason_code=text_at(element, "ReasonCode"),  # BT-98 / BT-105
                )
            )
    return tuple(result)


def vat_breakdown(details: Parent, findings: list[Finding]) -> tuple[VatBreakdown, ...]:
    result = []
    for spec in findall_at(details, "VatSpecificationDetails"):
        base = decimal_at(spec, "VatBaseAmount")  # BT-116
        tax = decimal_at(spec, "VatRateAmount")  # BT-117
        rate = decimal_at(spec, "VatRatePercent")  # BT-119
        if base is None or tax is None:
            findings.append(
                Finding(
                    "FINVOICE-VAT",
                    "warning",
                    "VatSpecificationDetails without VatBaseAmount or VatRateAmount was left out",
                    path_of(spec),
                )
            )
            continue
        category = vat_category(text_at(spec, "VatCode"), rate)  # BT-118
        # VatFreeText states the exemption reason (BT-120), which S may not have (BR-S-10).
        reason = " ".join(texts_at(spec, "VatFreeText")) if category != "S" else ""
        result.append(
            VatBreakdown(
                category=category,
                taxable_amount=base,
                tax_amount=tax,
                rate=rate,
                exemption_reason=reason,
                exemption_reason_code=text_at(spec, "VatExemptionReasonCode"),  # BT-121
            )
        )
    return tuple(result)


def totals(
    details: Parent,
    instruction: etree._Element | None,
    lines: tuple[Line, ...],
    allowances: tuple[AllowanceCharge, ...],
) -> Totals:
    def summed(values: list[Decimal]) -> Decimal | None:
        return sum(values, Decimal(0)) if values else None

    gross = decimal_at(details, "InvoiceTotalVatIncludedAmount")  # BT-112
    instructed = decimal_at(instruction, "EpiInstructedAmount")
    paid = decimal_at(details, "InvoicePaidAmount")  # BT-113
    if instructed is None and gross is not None and paid is not None:
        instructed = gross - paid  # without a payment instruction, what is left is due
    stated_rows = decimal_at(details, "RowsTotalVatExcludedAmount")  # 3.0 states BT-106
    stated_discounts = decimal_at(details, "DiscountsTotalVatExcludedAmount")
    stated_charges = decimal_at(details, "ChargesTotalVatExcludedAmount")
    return Totals(
        line_net_total=(  # BT-106
            stated_rows if stated_rows is not None else summed([li.line_net for li in lines])
        ),
        allowance_total=(  # BT-107
            stated_discounts
            if stated_discounts is not None
            else summed([a.amount for a in allowances if not a.is_charge])
        ),
        charge_total=(  # BT-108
            stated_charges
            if stated_charges is not None
            else summed([a.amount for a in allowances if a.is_charge])
        ),
        tax_exclusive=decimal_at(details, "InvoiceTotalVatExcludedAmount"),  # BT-109
        tax_total=decimal_at(details, "InvoiceTotalVatAmount"),  # BT-110
        tax_total_accounting=decimal_at(details, "InvoiceTotalVatAccountingAmount"),  # BT-111
        tax_inclusive=gross,  # BT-112
        prepaid=paid,  # BT-113
        rounding=decimal_at(details, "InvoiceTotalRoundoffAmount"),  # BT-114
        payable=instructed if instructed is not None else gross,  # BT-115
    )
