"""The settlement: payment means and terms, the VAT breakdown, allowances and charges at
document level (BG-20, BG-21) and the totals (BG-22)."""

from __future__ import annotations

from datetime import date

from lxml import etree

from payables.einvoice.cii.elements import attr, child, child_text, children
from payables.einvoice.cii.reader import Reader, amount
from payables.einvoice.cii.syntax import RATE
from payables.einvoice.model import AllowanceCharge, PaymentMeans, Totals, VatBreakdown
from payables.einvoice.xmlsafe import text


def payment_means(settlement: etree._Element | None) -> tuple[PaymentMeans, ...]:
    reference = child_text(settlement, "PaymentReference")  # BT-83
    means = []
    for element in children(settlement, "SpecifiedTradeSettlementPaymentMeans"):
        account = child(element, "PayeePartyCreditorFinancialAccount")
        means.append(
            PaymentMeans(
                code=child_text(element, "TypeCode"),  # BT-81
                iban=child_text(account, "IBANID")  # BT-84
                or child_text(account, "ProprietaryID"),
                account_name=child_text(account, "AccountName"),  # BT-85
                bic=child_text(  # BT-86
                    element, "PayeeSpecifiedCreditorFinancialInstitution", "BICID"
                ),
                payment_reference=reference,
            )
        )
    if not means and reference:
        means.append(PaymentMeans(payment_reference=reference))
    return tuple(means)


def payment_terms(reader: Reader, settlement: etree._Element | None) -> tuple[date | None, str]:
    due_date, descriptions = None, []
    for terms in children(settlement, "SpecifiedTradePaymentTerms"):
        description = child_text(terms, "Description")  # BT-20
        if description:
            descriptions.append(description)
        if due_date is None:
            due_date = reader.date(child(terms, "DueDateDateTime"))  # BT-9
    return due_date, "\n".join(descriptions)


def vat_breakdown(
    reader: Reader, settlement: etree._Element | None
) -> tuple[tuple[VatBreakdown, ...], date | None]:
    breakdown, tax_point_date = [], None
    for tax in children(settlement, "ApplicableTradeTax"):
        if tax_point_date is None:
            tax_point_date = reader.date(child(tax, "TaxPointDate"))  # BT-7
        basis = amount(child(tax, "BasisAmount"))  # BT-116
        calculated = amount(child(tax, "CalculatedAmount"))  # BT-117
        if basis is None or calculated is None:
            reader.note(
                "PAY-CII-VAT",
                "warning",
                "A VAT breakdown without BasisAmount (BT-116) or CalculatedAmount "
                "(BT-117) is skipped",
                tax,
            )
            continue
        breakdown.append(
            VatBreakdown(
                category=child_text(tax, "CategoryCode"),  # BT-118
                taxable_amount=basis,
                tax_amount=calculated,
                rate=amount(child(tax, RATE)),  # BT-119
                exemption_reason=child_text(tax, "ExemptionReason"),  # BT-120
                exemption_reason_code=child_text(tax, "ExemptionReasonCode"),  # BT-121
            )
        )
    return tuple(breakdown), tax_point_date


def document_allowances_charges(
    reader: Reader, settlement: etree._Element | None
) -> tuple[AllowanceCharge, ...]:
    found = [
        allowance_charge(reader, element)
        for element in children(settlement, "SpecifiedTradeAllowanceCharge")
    ]
    # ZUGFeRD 1.0 and EXTENDED carry freight as logistics service charges; they count
    # in ChargeTotalAmount (BT-108), so they are document-level charges (BG-21).
    found.extend(
        _logistics_charge(reader, element)
        for element in children(settlement, "SpecifiedLogisticsServiceCharge")
    )
    return tuple(item for item in found if item is not None)


def allowance_charge(reader: Reader, element: etree._Element) -> AllowanceCharge | None:
    """A document (BG-20 / BG-21) or line (BG-27 / BG-28) allowance or charge."""
    indicator = child(element, "ChargeIndicator", "Indicator")
    flag = text(indicator).lower()
    if flag not in ("true", "false", "1", "0"):
        reader.note(
            "PAY-CII-ALLOWANCE",
            "warning",
            f"ChargeIndicator {flag!r} is neither true nor false; read as an allowance",
            element,
        )
    value = amount(child(element, "ActualAmount"))  # BT-92 / BT-99 / BT-136 / BT-141
    if value is None:
        reader.note(
            "PAY-CII-ALLOWANCE",
            "warning",
            "An allowance or charge without ActualAmount is skipped",
            element,
        )
        return None
    tax = child(element, "CategoryTradeTax")
    return AllowanceCharge(
        is_charge=flag in ("true", "1"),
        amount=value,
        base_amount=amount(child(element, "BasisAmount")),  # BT-93 / BT-100
        percentage=amount(child(element, "CalculationPercent")),  # BT-94 / BT-101
        vat_category=child_text(tax, "CategoryCode"),  # BT-95 / BT-102
        vat_rate=amount(child(tax, RATE)),  # BT-96 / BT-103
        reason=child_text(element, "Reason"),  # BT-97 / BT-104 / BT-139 / BT-144
        reason_code=child_text(element, "ReasonCode"),  # BT-98 / BT-105 / BT-140 / BT-145
    )


def _logistics_charge(reader: Reader, element: etree._Element) -> AllowanceCharge | None:
    value = amount(child(element, "AppliedAmount"))  # BT-99
    if value is None:
        reader.note(
            "PAY-CII-ALLOWANCE",
            "warning",
            "A logistics service charge without AppliedAmount is skipped",
            element,
        )
        return None
    tax = child(element, "AppliedTradeTax")
    return AllowanceCharge(
        is_charge=True,
        amount=value,
        vat_category=child_text(tax, "CategoryCode"),  # BT-102
        vat_rate=amount(child(tax, RATE)),  # BT-103
        reason=child_text(element, "Description"),  # BT-104
    )


def totals(reader: Reader, settlement: etree._Element | None, currency: str) -> Totals:
    summation = child(settlement, reader.s.header_summation)
    if summation is None:
        return Totals()
    tax_total = tax_total_accounting = None
    for element in children(summation, "TaxTotalAmount"):
        value = amount(element)
        in_currency = attr(element, "currencyID").upper()
        if tax_total is None and in_currency in ("", currency):
            tax_total = value  # BT-110
        elif tax_total_accounting is None:
            tax_total_accounting = value  # BT-111
        else:
            reader.note("PAY-CII-TOTALS", "warning", "A third TaxTotalAmount is ignored", element)
    return Totals(
        line_net_total=amount(child(summation, "LineTotalAmount")),  # BT-106
        allowance_total=amount(child(summation, "AllowanceTotalAmount")),  # BT-107
        charge_total=amount(child(summation, "ChargeTotalAmount")),  # BT-108
        tax_exclusive=amount(child(summation, "TaxBasisTotalAmount")),  # BT-109
        tax_total=tax_total,
        tax_total_accounting=tax_total_accounting,
        tax_inclusive=amount(child(summation, "GrandTotalAmount")),  # BT-112
        prepaid=amount(child(summation, "TotalPrepaidAmount")),  # BT-113
        rounding=amount(child(summation, "RoundingAmount")),  # BT-114
        payable=amount(child(summation, "DuePayableAmount")),  # BT-115
    )
