"""UBL 2.1 corpus: every valid file reads with the document's own totals, VAT and lines.

Expected values are read from the files with plain XPath here, apart from the parser.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from payables.einvoice import ubl
from payables.einvoice.errors import EInvoiceError
from payables.einvoice.model import (
    Address,
    Party,
)
from payables.einvoice.tests.ubl_support import (
    INVALID,
    INVOICE_SAMPLE,
    LIMITS,
    NS,
    VALID,
    corpus_file,
    decimal_at,
    document_root,
    invoice_of,
    parsed,
)

# Corpus: parse ---------------------------------------------------------------------------

TOTALS = {
    "line_net_total": "LineExtensionAmount",
    "allowance_total": "AllowanceTotalAmount",
    "charge_total": "ChargeTotalAmount",
    "tax_exclusive": "TaxExclusiveAmount",
    "tax_inclusive": "TaxInclusiveAmount",
    "prepaid": "PrepaidAmount",
    "rounding": "PayableRoundingAmount",
    "payable": "PayableAmount",
}
DOCUMENT_CURRENCY_TAX_TOTAL = (
    "cac:TaxTotal[cbc:TaxAmount/@currencyID = ../cbc:DocumentCurrencyCode]"
)


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_totals_equal_the_documents_own(path: Path, row: dict) -> None:
    root = document_root(path)
    expected = {
        field: decimal_at(root, f"cac:LegalMonetaryTotal/cbc:{element}")
        for field, element in TOTALS.items()
    }
    expected["tax_total"] = decimal_at(root, f"{DOCUMENT_CURRENCY_TAX_TOTAL}/cbc:TaxAmount")
    totals = invoice_of(path).totals
    assert {field: getattr(totals, field) for field in expected} == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_line_nets_add_up_to_the_documents_line_total(path: Path, row: dict) -> None:
    expected = decimal_at(document_root(path), "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")
    assert sum(line.line_net for line in invoice_of(path).lines) == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_vat_breakdown_equals_the_documents_own(path: Path, row: dict) -> None:
    subtotals = document_root(path).xpath(
        f"{DOCUMENT_CURRENCY_TAX_TOTAL}/cac:TaxSubtotal", namespaces=NS
    )
    expected = [
        (
            subtotal.xpath("string(cac:TaxCategory/cbc:ID)", namespaces=NS).strip(),
            decimal_at(subtotal, "cac:TaxCategory/cbc:Percent"),
            decimal_at(subtotal, "cbc:TaxableAmount"),
            decimal_at(subtotal, "cbc:TaxAmount"),
        )
        for subtotal in subtotals
    ]
    breakdown = invoice_of(path).vat_breakdown
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in breakdown] == expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_credit_note_or_type_381_comes_out_as_credit_note(path: Path, row: dict) -> None:
    root = document_root(path)
    type_code = root.xpath("string(cbc:InvoiceTypeCode)", namespaces=NS).strip()
    expected = etree.QName(root).localname == "CreditNote" or type_code == "381"
    assert invoice_of(path).is_credit_note is expected


@pytest.mark.parametrize(("path", "row"), VALID)
def test_valid_file_keeps_every_line(path: Path, row: dict) -> None:
    root = document_root(path)
    expected = root.xpath("cac:InvoiceLine/cbc:ID | cac:CreditNoteLine/cbc:ID", namespaces=NS)
    assert [line.id for line in invoice_of(path).lines] == [e.text.strip() for e in expected]


@pytest.mark.parametrize(("path", "row"), INVALID)
def test_invalid_file_parses_or_is_refused_with_findings(path: Path, row: dict) -> None:
    try:
        document = ubl.parse(path.read_bytes(), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings
    else:
        assert len(document.invoices) == 1


def test_embedded_pdf_attachment_decodes_byte_exact() -> None:
    path = corpus_file("ubl/xrechnung-testsuite/02.01a-INVOICE_ubl.xml")
    encoded = document_root(path).xpath(
        "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
        namespaces=NS,
    )[0]
    (attachment,) = invoice_of(path).attachments
    assert attachment.content == base64.b64decode("".join(encoded.text.split()))
    assert attachment.content.startswith(b"%PDF")
    assert (attachment.filename, attachment.mime_code) == (
        encoded.get("filename"),
        encoded.get("mimeCode"),
    )


def test_attachment_split_over_lines_decodes_byte_exact() -> None:
    attachment = invoice_of(INVOICE_SAMPLE).attachments[0]
    assert attachment.content == b"item,quantity\nPAP-A4-5,3\nCOF-5KG,1\n"


def test_external_attachment_keeps_its_uri_and_no_content() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    external = [a for a in invoice_of(path).attachments if a.uri]
    assert [(a.id, a.uri, a.content) for a in external] == [
        ("Example 1", "http://www.example.com/index.html", None)
    ]


def test_invoiced_object_and_project_references_are_not_attachments() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    invoice = invoice_of(path)
    assert invoice.project_reference == "11111111"
    assert [a.id for a in invoice.attachments] == ["MT123", "Time report 1", "Example 1"]


def test_tax_total_in_the_tax_currency_is_bt_111() -> None:
    totals = invoice_of(corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")).totals
    assert (totals.tax_total, totals.tax_total_accounting) == (Decimal(2500), Decimal(249))


def test_seller_identity_is_read_from_every_place_ubl_keeps_it() -> None:
    seller = invoice_of(corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")).seller
    assert seller == Party(
        name="The Global Chain Sweden AB",
        trading_name="Global Trade Chain",
        registry_id="1234567890",
        registry_scheme="0007",
        vat_id="SE123456789001",
        tax_registration_id="Godkänd för F-skatt",
        identifiers=(("7350000001204", "0088"), ("BilateralID", "")),
        electronic_address="1234567890",
        electronic_address_scheme="0007",
        address=Address(
            lines=("Streetname-line1", "AddStreetname-line2", "Address-line3"),
            city="Big City",
            postal_code="11122",
            subdivision="Delstat A",
            country="SE",
        ),
        contact_name="A Persson",
        contact_phone="0201234567",
        contact_email="info@UCS.se",
    )


def test_line_price_discount_gives_the_gross_price() -> None:
    path = corpus_file("ubl/en16931-se-testfiles/CreditNote-Max_content.xml")
    line = invoice_of(path).lines[0]
    assert (line.net_price, line.gross_price, line.price_base_quantity) == (
        Decimal(20),
        Decimal("20.50"),
        Decimal(1),
    )


def test_sub_invoice_lines_are_left_to_their_parent_line_and_reported() -> None:
    document = parsed(corpus_file("ubl/xrechnung-testsuite/04.02a-INVOICE_ubl.xml"))
    assert [line.line_net for line in document.invoices[0].lines] == [Decimal("27.72")]
    assert [f.rule_id for f in document.findings] == ["PAY-UBL-SUBLINES"]


@pytest.mark.parametrize(
    ("relative", "profile"),
    [
        ("ubl/peppol-bis3/base-example.xml", "peppol-bis-3"),
        ("ubl/xrechnung-testsuite/01.01a-INVOICE_ubl.xml", "xrechnung"),
        ("ubl/en16931/ubl-tc434-example1.xml", "en16931"),
    ],
)
def test_profile_names_the_specification(relative: str, profile: str) -> None:
    document = parsed(corpus_file(relative))
    assert (document.format, document.version, document.profile) == ("ubl", "2.1", profile)
