"""The sums: document discounts and charges (BG-20, BG-21), the VAT breakdown (BG-23),
the totals (BG-22), and the file Footer's control sums."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from payables.einvoice.ee_einvoice.reader import Reader, cents
from payables.einvoice.ee_einvoice.rows import addition, vat_category
from payables.einvoice.errors import MalformedDocument
from payables.einvoice.model import AllowanceCharge, Invoice, Line, Totals, VatBreakdown
from payables.einvoice.values import Parent, decimal_at, element_of, find_at, findall_at, text_at
from payables.einvoice.xmlsafe import path_of


def document_allowances(
    reader: Reader,
    sums: Parent,
    lines: tuple[Line, ...],
    breakdown: tuple[VatBreakdown, ...],
) -> tuple[AllowanceCharge, ...]:
    additions = findall_at(sums, "Addition")
    if not additions:
        return ()
    rows = decimal_at(sums, "InvoiceSum")
    if rows is None:
        rows = sum((line.line_net for line in lines), Decimal(0))
    kinds = {(v.category, v.rate) for v in breakdown}
    vat = kinds.pop() if len(kinds) == 1 else None
    if vat is None:
        reader.note(
            "EE-ADDITION-VAT",
            "info",
            "Invoice-level discounts and charges state no VAT rate and the invoice has "
            "several: none was assigned",
            path_of(additions[0]),
        )
    return tuple(addition(reader, a, base=rows, line_level=False, vat=vat) for a in additions)


def vat_breakdown(
    reader: Reader, sums: Parent, lines: tuple[Line, ...]
) -> tuple[VatBreakdown, ...]:
    vats = findall_at(sums, "VAT")
    breakdown = []
    for vat in vats:
        category, rate = vat_category(reader, vat)
        tax = decimal_at(vat, "VATSum")
        taxable = decimal_at(vat, "SumBeforeVAT")
        if taxable is None:
            taxable = sum(
                (ln.line_net for ln in lines if (ln.vat_category, ln.vat_rate) == (category, rate)),
                Decimal(0),
            )
            reader.note(
                "EE-VAT-BASE",
                "info",
                "The VAT entry states no SumBeforeVAT: the base is the sum of its rows",
                path_of(vat),
            )
        breakdown.append(
            VatBreakdown(
                category=category,  # BT-118
                taxable_amount=taxable,  # BT-116
                tax_amount=Decimal(0) if tax is None else tax,  # BT-117
                rate=rate,  # BT-119
                exemption_reason=(  # BT-120: the legal reference of an exemption
                    text_at(vat, "Reference/InformationContent") if category in "EO" else ""
                ),
            )
        )
    return tuple(breakdown)


def derived_breakdown(
    reader: Reader,
    sums: Parent,
    lines: tuple[Line, ...],
    row_vat: list[Decimal | None],
    allowances: tuple[AllowanceCharge, ...],
) -> tuple[VatBreakdown, ...]:
    """BG-23 from the rows, for an InvoiceSumGroup that states no VAT entries."""
    groups: dict[tuple[str, Decimal | None], list[tuple[Decimal, Decimal | None]]] = {}
    for line, vat_sum in zip(lines, row_vat, strict=True):
        if line.vat_category:
            key = (line.vat_category, line.vat_rate)
            groups.setdefault(key, []).append((line.line_net, vat_sum))
    if not groups:
        return ()
    reader.note(
        "EE-VAT-DERIVED",
        "info",
        "The InvoiceSumGroup states no VAT entries: the VAT breakdown comes from the rows",
        path_of(element_of(sums)) if element_of(sums) is not None else "",
    )
    stated_vat = decimal_at(sums, "TotalVATSum")
    breakdown = []
    for (category, rate), rows in groups.items():
        taxable = sum((net for net, _ in rows), Decimal(0))
        if len(groups) == 1:
            taxable += sum((a.amount if a.is_charge else -a.amount for a in allowances), 0)
        if len(groups) == 1 and stated_vat is not None:
            tax = stated_vat
        elif all(vat is not None for _, vat in rows):
            tax = sum((vat for _, vat in rows if vat is not None), Decimal(0))
        else:
            tax = cents(taxable * (rate or 0) / 100)
        breakdown.append(VatBreakdown(category, taxable, tax, rate))
    return tuple(breakdown)


def totals(
    reader: Reader,
    sums: Parent,
    other: etree._Element | None,
    lines: tuple[Line, ...],
    allowances: tuple[AllowanceCharge, ...],
    breakdown: tuple[VatBreakdown, ...],
) -> Totals:
    line_total = sum((line.line_net for line in lines), Decimal(0))  # BT-106
    discounts = [a.amount for a in allowances if not a.is_charge]
    charges = [a.amount for a in allowances if a.is_charge]
    allowance_total = sum(discounts, Decimal(0)) if discounts else None  # BT-107
    charge_total = sum(charges, Decimal(0)) if charges else None  # BT-108
    adjusted = line_total - (allowance_total or 0) + (charge_total or 0)
    stated = decimal_at(sums, "InvoiceSum")
    if stated is not None and stated not in {line_total, adjusted}:
        reader.note(
            "EE-INVOICESUM",
            "warning",
            f"InvoiceSum {stated} is not the sum of the rows {line_total}",
            path_of(find_at(sums, "InvoiceSum")),
        )
    if breakdown:
        tax_exclusive = sum((v.taxable_amount for v in breakdown), Decimal(0))  # BT-109
    else:
        tax_exclusive = adjusted
    tax_total = decimal_at(sums, "TotalVATSum")  # BT-110
    if tax_total is None and breakdown:
        tax_total = sum((v.tax_amount for v in breakdown), Decimal(0))
    tax_inclusive = decimal_at(sums, "TotalSum")  # BT-112
    rounding = decimal_at(sums, "Rounding")  # BT-114
    payable = decimal_at(sums, "TotalToPay")  # BT-115
    if payable is None and tax_inclusive is not None:
        payable = tax_inclusive + (rounding or 0)
    # The format has no BT-113: a TotalToPay other than the rounded total takes in an
    # earlier balance, advance or penalty, which is the invoice's (signed) prepaid amount.
    prepaid = None
    if payable is not None and tax_inclusive is not None:
        prepaid = (tax_inclusive + (rounding or 0) - payable) or None
    return Totals(
        line_net_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total,
        tax_total_accounting=decimal_at(other, "TotalVATSum"),  # BT-111
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,  # BT-113
        rounding=rounding,
        payable=payable,
    )


def check_footer(
    reader: Reader,
    root: etree._Element,
    elements: list[etree._Element],
    invoices: tuple[Invoice, ...],
) -> None:
    """Check the Footer's control sums: a mismatch means invoices were lost or altered."""
    footer = find_at(root, "Footer")
    if footer is None:
        reader.note("EE-FOOTER-MISSING", "warning", "The file has no Footer", "/E_Invoice")
        return
    count = text_at(footer, "TotalNumberInvoices")
    if not (count.isascii() and count.isdigit()) or int(count) != len(elements):
        reader.note(
            "EE-FOOTER-COUNT",
            "error",
            f"The Footer counts {count or 'no'} invoices; the file holds {len(elements)}",
            "/E_Invoice/Footer/TotalNumberInvoices",
        )
    where = "/E_Invoice/Footer/TotalAmount"
    try:
        stated = decimal_at(footer, "TotalAmount")
    except MalformedDocument:
        stated = None
    # The description sums the invoices' totals; some producers sum the amounts to pay.
    candidates = {
        sum((i.totals.tax_inclusive or Decimal(0) for i in invoices), Decimal(0)),
        sum((i.totals.payable or Decimal(0) for i in invoices), Decimal(0)),
    }
    if stated is None or stated not in candidates:
        total = sum((i.totals.tax_inclusive or Decimal(0) for i in invoices), Decimal(0))
        reader.note(
            "EE-FOOTER-AMOUNT",
            "error",
            f"The Footer's TotalAmount {text_at(footer, 'TotalAmount') or 'is missing'}"
            f" does not match the invoices' total {total}",
            where,
        )
