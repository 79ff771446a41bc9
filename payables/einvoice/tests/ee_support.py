"""Shared fixtures and helpers of the Estonian e-invoice tests; expected amounts are read
from each file with XPath, independently of the parser.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from payables.einvoice import ee_einvoice
from payables.einvoice.model import ParsedDocument, ParseLimits
from payables.einvoice.tests.corpus import CORPUS_DIR, SAMPLES_DIR

XSD = CORPUS_DIR / "xsd" / "ee-einvoice-1.2" / "e-invoice_ver1.2.xsd"
FIXTURES = sorted(SAMPLES_DIR.glob("ee-*.xml"))
FIXTURE_IDS = [path.name for path in FIXTURES]
# Schema-valid, but its Footer disagrees with its invoices on purpose.
FOOTER_MISMATCH = "ee-1.2-footer-sum-mismatch.xml"
CONSISTENT = [path for path in FIXTURES if path.name != FOOTER_MISMATCH]

THREE_INVOICES = "ee-1.2-three-invoices-22-24-9-0-percent.xml"
CREDIT_NOTE = "ee-1.2-credit-note.xml"
DISCOUNTS = "ee-1.11-discount-and-rounding.xml"
ATTACHMENT = "ee-1.2-with-attachment-and-journal-entries.xml"
GROUPS = "ee-1.2-item-groups-with-subtotals.xml"
EEK = "ee-1.1-eek-with-euro-sum-group.xml"


@cache
def parsed(name: str) -> ParsedDocument:
    return ee_einvoice.parse((SAMPLES_DIR / name).read_bytes(), limits=ParseLimits())


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def tree(name: str) -> etree._ElementTree:
    return etree.parse(str(SAMPLES_DIR / name))


def variant(name: str, edit) -> bytes:
    """The fixture with ``edit(root)`` applied: a broken or unusual version of it."""
    document = tree(name)
    edit(document.getroot())
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def rule_ids(document: ParsedDocument) -> set[str]:
    return {finding.rule_id for finding in document.findings}


def money(element: etree._Element, path: str) -> Decimal | None:
    values = element.xpath(f"{path}/text()")
    return Decimal(values[0].strip()) if values else None


def by_rate(vat: tuple) -> tuple:
    """Sort key for (rate, taxable, tax): a missing rate (outside the scope of VAT) last."""
    rate, taxable, tax = vat
    return (rate is None, rate or 0, taxable, tax)


def expected_invoices(path: Path) -> list[dict]:
    """Each invoice's own totals and VAT entries, read with XPath from the document."""
    expected = []
    for invoice in tree(path.name).xpath("/E_Invoice/Invoice"):
        groups = invoice.xpath("InvoiceSumGroup[Currency = ../PaymentInfo/Currency]") or (
            invoice.xpath("InvoiceSumGroup")
        )
        sums = groups[0]
        vats = sorted(
            (
                (
                    # EN 16931 BR-O-05: outside the scope of VAT (NOTTAX) has no rate.
                    None if vat.get("vatId") == "NOTTAX" else money(vat, "VATRate"),
                    money(vat, "SumBeforeVAT"),
                    money(vat, "VATSum"),
                )
                for vat in sums.xpath("VAT")
            ),
            key=by_rate,
        )
        expected.append(
            {
                "number": invoice.xpath("string(InvoiceInformation/InvoiceNumber)"),
                "line_net_total": money(sums, "InvoiceSum"),
                "tax_exclusive": sum(v[1] for v in vats),
                "tax_total": money(sums, "TotalVATSum"),
                "tax_inclusive": money(sums, "TotalSum"),
                "rounding": money(sums, "Rounding"),
                "payable": money(sums, "TotalToPay"),
                "vat": vats,
            }
        )
    return expected


def actual_invoices(document: ParsedDocument) -> list[dict]:
    return [
        {
            "number": invoice.number,
            "line_net_total": invoice.totals.line_net_total,
            "tax_exclusive": invoice.totals.tax_exclusive,
            "tax_total": invoice.totals.tax_total,
            "tax_inclusive": invoice.totals.tax_inclusive,
            "rounding": invoice.totals.rounding,
            "payable": invoice.totals.payable,
            "vat": sorted(
                ((vat.rate, vat.taxable_amount, vat.tax_amount) for vat in invoice.vat_breakdown),
                key=by_rate,
            ),
        }
        for invoice in document.invoices
    ]
