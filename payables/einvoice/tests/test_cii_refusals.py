"""CII detection, and bad documents: refused cleanly, or read with a located warning."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payables import einvoice
from payables.einvoice import cii
from payables.einvoice.errors import (
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import (
    ParseLimits,
    Totals,
)
from payables.einvoice.tests.cii_support import (
    BASIC_WL,
    CREDIT_NOTE,
    EVERY_TERM,
    LIMITS,
    MINIMUM,
    parse_sample,
    rule_ids,
    sample,
)

# -- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?>\n<!-- a comment -->\n<rsm:CrossIndustryInvoice xmlns:rsm="x"/>',
        b"\xef\xbb\xbf<CrossIndustryInvoice/>",
        '<?xml version="1.0" encoding="UTF-16"?><rsm:CrossIndustryDocument xmlns:rsm="x"/>'.encode(
            "utf-16"
        ),
    ],
    ids=["prefixed-after-comment", "utf-8-bom", "zugferd1-utf-16"],
)
def test_detect_finds_cross_industry_roots(data):
    assert cii.detect(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<rsm:CrossIndustryInvoice/>",
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        b"<Finvoice><CrossIndustryInvoice/></Finvoice>",
        b"",
    ],
    ids=["pdf", "ubl", "nested", "empty"],
)
def test_detect_refuses_other_documents(data):
    assert not cii.detect(data)


# -- bad documents -------------------------------------------------------------------------


def test_document_that_is_not_well_formed_is_malformed():
    with pytest.raises(MalformedDocument):
        cii.parse(sample(EVERY_TERM)[:-40], limits=LIMITS)


def test_document_with_a_doctype_is_refused_as_unsafe_through_the_registry():
    data = sample(MINIMUM).replace(
        b"<rsm:CrossIndustryInvoice",
        b'<!DOCTYPE x [<!ENTITY e "e">]>\n<rsm:CrossIndustryInvoice',
        1,
    )
    assert cii.detect(data)
    with pytest.raises(UnsafeDocument):
        einvoice.parse(data)


def test_other_root_element_is_unsupported():
    with pytest.raises(UnsupportedFormat, match="root element is Invoice"):
        cii.parse(b"<Invoice/>", limits=LIMITS)


def test_amount_that_is_not_a_number_is_refused_with_its_location():
    with pytest.raises(MalformedDocument) as raised:
        parse_sample(
            MINIMUM,
            (
                b"<ram:GrandTotalAmount>125.50</ram:GrandTotalAmount>",
                b"<ram:GrandTotalAmount>12x.50</ram:GrandTotalAmount>",
            ),
        )
    assert raised.value.findings[0].location.endswith("ram:GrandTotalAmount")


def test_decimal_comma_amount_is_read():
    document = parse_sample(
        MINIMUM,
        (
            b"<ram:GrandTotalAmount>125.50</ram:GrandTotalAmount>",
            b"<ram:GrandTotalAmount>125,50</ram:GrandTotalAmount>",
        ),
    )
    assert document.invoices[0].totals.tax_inclusive == Decimal("125.50")


def test_attachment_larger_than_the_limit_is_refused():
    with pytest.raises(LimitExceeded):
        parse_sample(EVERY_TERM, limits=ParseLimits(max_attachment_bytes=10))


def test_attachment_that_is_not_base64_loses_its_content_with_a_warning():
    document = parse_sample(
        EVERY_TERM,
        (b"ZGF0ZTtob3VycwoyMDI0LTAzLTA5OzIK", b"not base64!"),
    )
    attachment = document.invoices[0].attachments[0]
    assert (attachment.id, attachment.content) == ("TS-1", None)
    assert [(f.rule_id, f.severity) for f in document.findings] == [
        ("PAY-CII-ATTACHMENT", "warning")
    ]


def test_impossible_date_is_left_empty_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b'<udt:DateTimeString format="102">20240220</udt:DateTimeString>',
            b'<udt:DateTimeString format="102">20240231</udt:DateTimeString>',
        ),
    )
    assert document.invoices[0].issue_date is None
    assert "PAY-CII-DATE" in rule_ids(document)


def test_lower_case_currency_is_upper_cased_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
            b"<ram:InvoiceCurrencyCode>eur</ram:InvoiceCurrencyCode>",
        ),
    )
    assert (document.invoices[0].currency, document.invoices[0].totals.tax_total) == (
        "EUR",
        Decimal("25.50"),
    )
    assert "PAY-CII-CURRENCY" in rule_ids(document)


def test_document_without_namespace_is_read_with_a_warning():
    data = sample(MINIMUM)
    for prefix in (b"rsm:", b"ram:", b"udt:"):
        data = data.replace(prefix, b"")
    data = data.replace(b'xmlns="urn:un:unece:uncefact:data:standard:', b'xmlns:x="urn:')
    for name in (b"rsm", b"qdt", b"ram", b"udt"):
        data = data.replace(b"xmlns:" + name + b"=", b"xmlns:old" + name + b"=")
    document = cii.parse(data, limits=LIMITS)
    assert document.invoices[0].totals.payable == Decimal("125.50")
    assert rule_ids(document)[0] == "PAY-CII-NAMESPACE"


def test_document_without_transaction_parses_with_a_warning():
    data = sample(MINIMUM)
    start = data.index(b"<rsm:SupplyChainTradeTransaction>")
    end = data.index(b"</rsm:SupplyChainTradeTransaction>") + len(
        b"</rsm:SupplyChainTradeTransaction>"
    )
    document = cii.parse(data[:start] + data[end:], limits=LIMITS)
    assert (document.invoices[0].number, document.invoices[0].totals) == ("M-2024-17", Totals())
    assert "PAY-CII-STRUCTURE" in rule_ids(document)


def test_missing_type_code_is_read_as_invoice_with_a_warning():
    document = parse_sample(CREDIT_NOTE, (b"<ram:TypeCode>381</ram:TypeCode>", b""))
    assert document.invoices[0].type_code == "380"
    assert rule_ids(document) == ["PAY-CII-TYPE"]


def test_vat_scheme_written_vat_is_read_as_the_vat_id_with_a_warning():
    document = parse_sample(
        MINIMUM,
        (
            b'<ram:ID schemeID="VA">FI76543210</ram:ID>',
            b'<ram:ID schemeID="VAT">FI76543210</ram:ID>',
        ),
    )
    assert document.invoices[0].seller.vat_id == "FI76543210"
    assert "PAY-CII-TAX-SCHEME" in rule_ids(document)


def test_allowance_without_amount_is_skipped_with_a_warning():
    document = parse_sample(BASIC_WL, (b"<ram:ActualAmount>3.00</ram:ActualAmount>", b""))
    assert document.invoices[0].allowances_charges == ()
    assert "PAY-CII-ALLOWANCE" in rule_ids(document)


def test_vat_breakdown_without_amounts_is_skipped_with_a_warning():
    document = parse_sample(BASIC_WL, (b"<ram:CalculatedAmount>4.80</ram:CalculatedAmount>", b""))
    assert [v.rate for v in document.invoices[0].vat_breakdown] == [Decimal("14")]
    assert "PAY-CII-VAT" in rule_ids(document)
