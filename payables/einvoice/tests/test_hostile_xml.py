"""Hostile and broken input through ``payables.einvoice.parse``: refused with a clear
``EInvoiceError`` or read, never a crash, never a file or URL fetched.

Each attack is dressed as every XML format, because detection must not let a DOCTYPE
slip past the safe parser as "not an e-invoice".
"""

from __future__ import annotations

import io

import pytest
from lxml import etree
from pypdf import PdfWriter

from payables.einvoice import parse
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.corpus import SAMPLES_DIR
from payables.einvoice.validation import validate

UBL_SAMPLE = SAMPLES_DIR / "validation-ubl-invoice-two-vat-rates.xml"
CII_SAMPLE = SAMPLES_DIR / "validation-cii-en16931-invoice-two-vat-rates.xml"
FINVOICE_SAMPLE = SAMPLES_DIR / "finvoice-3.0-credit-note-iso-8859-15.xml"

# (root element, opening tags up to the invoice number, closing tags) per format.
SHELLS = {
    "ubl": (
        "Invoice",
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc='
        b'"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>',
        b"</cbc:ID></Invoice>",
    ),
    "cii": (
        "rsm:CrossIndustryInvoice",
        b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
        b'CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:'
        b'ReusableAggregateBusinessInformationEntity:100"><rsm:ExchangedDocument><ram:ID>',
        b"</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>",
    ),
    "finvoice": (
        "Finvoice",
        b'<Finvoice Version="3.0"><InvoiceDetails><InvoiceNumber>',
        b"</InvoiceNumber></InvoiceDetails></Finvoice>",
    ),
    "ee-einvoice": (
        "E_Invoice",
        b"<E_Invoice><Header><FileId>",
        b"</FileId></Header></E_Invoice>",
    ),
}
FORMATS = sorted(SHELLS)
BILLION_LAUGHS = b'<!ENTITY lol0 "lollollollollollollollollollol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10)
)


def document(fmt: str, *, subset: bytes = b"", number: bytes = b"1", prolog: bytes = b"") -> bytes:
    """A minimal document of the format; ``subset`` becomes an internal DTD subset."""
    root, opening, closing = SHELLS[fmt]
    doctype = b"<!DOCTYPE %s [%s]>\n" % (root.encode(), subset) if subset else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + doctype + opening + number + closing
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_external_entity_to_a_file_is_refused_as_unsafe(fmt, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    data = document(
        fmt, subset=b'<!ENTITY xxe SYSTEM "%s">' % secret.as_uri().encode(), number=b"&xxe;"
    )

    with pytest.raises(UnsafeDocument) as refused:
        parse(data)

    assert "TOP-SECRET-42" not in str(refused.value.findings)


@pytest.mark.parametrize("fmt", FORMATS)
def test_external_entity_over_http_is_refused_as_unsafe(fmt):
    data = document(
        fmt, subset=b'<!ENTITY xxe SYSTEM "http://127.0.0.1:9/invoice">', number=b"&xxe;"
    )

    with pytest.raises(UnsafeDocument):
        parse(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_billion_laughs_is_refused_as_unsafe(fmt):
    data = document(fmt, subset=BILLION_LAUGHS, number=b"&lol9;")

    with pytest.raises(UnsafeDocument):
        parse(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_billion_laughs_behind_a_long_comment_is_refused_as_unsafe(fmt):
    data = document(
        fmt, subset=BILLION_LAUGHS, number=b"&lol9;", prolog=b"<!--" + b"x" * 8000 + b"-->\n"
    )

    with pytest.raises(UnsafeDocument):
        parse(data)


def test_entity_attack_in_a_document_of_no_known_format_is_refused_as_unsafe():
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'

    with pytest.raises(UnsafeDocument):
        parse(data)


@pytest.mark.parametrize("fmt", ["ubl", "cii", "ee-einvoice"])
def test_reference_to_an_external_dtd_is_refused_as_unsafe(fmt):
    root = SHELLS[fmt][0].encode()
    doctype = b'<!DOCTYPE %s SYSTEM "http://127.0.0.1:9/invoice.dtd">\n' % root

    with pytest.raises(UnsafeDocument):
        parse(document(fmt, prolog=doctype))


def test_finvoice_1_reference_to_its_dtd_is_ignored_not_loaded():
    doctype = b'<!DOCTYPE Finvoice SYSTEM "http://127.0.0.1:9/Finvoice.dtd">\n'

    parsed = parse(document("finvoice", prolog=doctype))

    assert [invoice.number for invoice in parsed.invoices] == ["1"]


def test_xinclude_is_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    include = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="%s" parse="text"/>'
    data = UBL_SAMPLE.read_bytes().replace(
        b"<cbc:DueDate>",
        b"<cbc:Note>%s</cbc:Note><cbc:DueDate>" % (include % secret.as_uri().encode()),
    )

    parsed = parse(data)

    assert "TOP-SECRET-42" not in repr(parsed)


def test_200_mb_document_is_refused_by_the_size_limit():
    data = b"<a>" + b"x" * 200_000_000 + b"</a>"

    with pytest.raises(LimitExceeded) as refused:
        parse(data)

    assert refused.value.findings[0].rule_id == "PAY-LIMIT"


@pytest.mark.parametrize("levels", [150, 100_000])
def test_document_nested_deeper_than_the_limit_is_refused(levels):
    data = document("ubl", number=b"<a>" * levels + b"1" + b"</a>" * levels)

    with pytest.raises(LimitExceeded):
        parse(data)


def test_document_with_more_elements_than_the_limit_is_refused():
    data = document("ubl", number=b"<a/>" * 1000)

    with pytest.raises(LimitExceeded):
        parse(data, limits=ParseLimits(max_elements=500))


def test_bytes_that_contradict_the_declared_encoding_are_refused_with_the_line():
    data = UBL_SAMPLE.read_bytes().replace(b"Lumivalo Oy</cbc:Name>", b"L\xe4mp\xf6 Oy</cbc:Name>")

    with pytest.raises(MalformedDocument) as refused:
        parse(data)

    assert refused.value.findings[0].location == "line 17"


def test_unknown_encoding_is_refused():
    data = document("ubl").replace(b'encoding="UTF-8"', b'encoding="klingon"')

    with pytest.raises(MalformedDocument, match="klingon"):
        parse(data)


def test_utf16_document_with_its_byte_order_mark_is_read():
    text = UBL_SAMPLE.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')

    parsed = parse(text.encode("utf-16"))

    assert parsed.invoices[0].seller.name == "Lumivalo Oy"


def test_utf8_byte_order_mark_is_read():
    parsed = parse(b"\xef\xbb\xbf" + UBL_SAMPLE.read_bytes())

    assert parsed.invoices[0].number == "LV-2024-0117"


def test_lowercase_currency_code_is_read_and_reported():
    data = UBL_SAMPLE.read_bytes().replace(b'currencyID="EUR"', b'currencyID="eur"')
    data = data.replace(b">EUR</cbc:DocumentCurrencyCode>", b">eur</cbc:DocumentCurrencyCode>")

    parsed = parse(data)
    findings = validate(data, parsed)

    currency = parsed.invoices[0].currency
    assert currency.upper() == "EUR"
    assert currency == "EUR" or any(f.rule_id == "PAY-CUR-01" for f in findings)


@pytest.mark.parametrize("sample", [UBL_SAMPLE, CII_SAMPLE], ids=["ubl", "cii"])
def test_invoice_without_its_namespace_is_refused_or_flagged(sample):
    root = etree.fromstring(sample.read_bytes())
    for element in root.iter():
        element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    try:
        parsed = parse(data)
    except EInvoiceError as refused:
        assert refused.findings[0].message
    else:
        assert any(f.severity in {"warning", "error", "fatal"} for f in parsed.findings)


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02", b"<a>\x00</a>"])
def test_empty_or_binary_input_is_refused(data):
    with pytest.raises(EInvoiceError):
        parse(data)


@pytest.mark.parametrize("sample", [UBL_SAMPLE, CII_SAMPLE, FINVOICE_SAMPLE], ids=lambda p: p.stem)
def test_truncated_documents_are_refused_or_read_never_crash(sample):
    whole = sample.read_bytes()
    for cut in range(0, len(whole), max(1, len(whole) // 40)):
        data = whole[:cut]
        try:
            parsed = parse(data)
        except EInvoiceError:
            continue
        validate(data, parsed)


def test_entity_in_the_xml_inside_a_pdf_is_refused_as_unsafe(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    xml = document(
        "cii", subset=b'<!ENTITY xxe SYSTEM "%s">' % secret.as_uri().encode(), number=b"&xxe;"
    )
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", xml)
    pdf = io.BytesIO()
    writer.write(pdf)

    with pytest.raises(UnsafeDocument) as refused:
        parse(pdf.getvalue())

    assert "TOP-SECRET-42" not in str(refused.value.findings)
