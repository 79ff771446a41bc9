"""CII corpus: every valid file reads with the document's own totals, VAT, lines and
type code; invalid files are refused cleanly; detection claims CII files and no others.

Expected values are read with plain lxml XPath, independently of the parser under test.
"""

from __future__ import annotations

import pytest
from lxml import etree

from payables.einvoice import cii
from payables.einvoice.errors import EInvoiceError
from payables.einvoice.tests.cii_support import (
    LIMITS,
    NS,
    as_text,
    document_settlement,
    exact,
    parsed,
)
from payables.einvoice.tests.corpus import CORPUS_DIR, corpus_files


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_totals_equal_the_documents_own(path, row):
    settlement = document_settlement(path)
    summation = settlement.xpath(
        "ram:SpecifiedTradeSettlementHeaderMonetarySummation", namespaces=NS
    )[0]
    currency = settlement.xpath("string(ram:InvoiceCurrencyCode)", namespaces=NS).strip()

    def amount(expression: str) -> str | None:
        return exact(summation.xpath(f"{expression}/text()", namespaces=NS))

    expected = {
        "line_net_total": amount("ram:LineTotalAmount"),
        "allowance_total": amount("ram:AllowanceTotalAmount"),
        "charge_total": amount("ram:ChargeTotalAmount"),
        "tax_exclusive": amount("ram:TaxBasisTotalAmount"),
        "tax_total": amount(f"ram:TaxTotalAmount[@currencyID='{currency}' or not(@currencyID)]"),
        "tax_total_accounting": amount(f"ram:TaxTotalAmount[@currencyID!='{currency}']"),
        "tax_inclusive": amount("ram:GrandTotalAmount"),
        "prepaid": amount("ram:TotalPrepaidAmount"),
        "rounding": amount("ram:RoundingAmount"),
        "payable": amount("ram:DuePayableAmount"),
    }
    totals = parsed(path).invoices[0].totals
    assert {name: as_text(getattr(totals, name)) for name in expected} == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_vat_breakdown_equals_the_documents_own(path, row):
    expected = [
        (
            tax.xpath("string(ram:CategoryCode)", namespaces=NS).strip(),
            exact(tax.xpath("ram:BasisAmount/text()", namespaces=NS)),
            exact(tax.xpath("ram:CalculatedAmount/text()", namespaces=NS)),
            exact(tax.xpath("ram:RateApplicablePercent/text()", namespaces=NS)),
        )
        for tax in document_settlement(path).xpath("ram:ApplicableTradeTax", namespaces=NS)
    ]
    breakdown = parsed(path).invoices[0].vat_breakdown
    assert [
        (vat.category, str(vat.taxable_amount), str(vat.tax_amount), as_text(vat.rate))
        for vat in breakdown
    ] == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_lines_equal_the_documents_own(path, row):
    items = etree.parse(str(path)).xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    expected = [
        (
            item.xpath("string(ram:AssociatedDocumentLineDocument/ram:LineID)", namespaces=NS),
            exact(
                item.xpath(
                    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()",
                    namespaces=NS,
                )
            ),
        )
        for item in items
    ]
    lines = parsed(path).invoices[0].lines
    assert [(line.id, str(line.line_net)) for line in lines] == expected


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="valid"))
def test_valid_file_type_code_decides_credit_note(path, row):
    type_code = etree.parse(str(path)).xpath(
        "string(/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode)", namespaces=NS
    )
    invoice = parsed(path).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == (type_code, type_code == "381")


def test_corpus_credit_note_381_comes_out_as_credit_note():
    path = CORPUS_DIR / "cii" / "zugferd-corpus" / "v2-testout-ZF2PushCreditNote.xml"
    if not path.exists():
        pytest.skip("the shared corpus is absent")
    invoice = parsed(path).invoices[0]
    assert (invoice.type_code, invoice.is_credit_note) == ("381", True)
    assert invoice.totals.payable > 0


@pytest.mark.parametrize(("path", "row"), corpus_files("cii", expected="invalid"))
def test_invalid_file_parses_or_is_refused_cleanly(path, row):
    try:
        document = cii.parse(path.read_bytes(), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings and all(f.is_blocking for f in error.findings)
    else:
        assert len(document.invoices) == 1


@pytest.mark.parametrize(("path", "row"), corpus_files("cii"))
def test_corpus_file_is_detected_as_cii(path, row):
    assert cii.detect(path.read_bytes())


@pytest.mark.parametrize(
    ("path", "row"),
    [*corpus_files("ubl"), *corpus_files("finvoice"), *corpus_files("facturx-pdf")],
)
def test_other_formats_are_not_claimed(path, row):
    assert not cii.detect(path.read_bytes())
