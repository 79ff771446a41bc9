"""Factur-X PDFs that cannot give an invoice: no embedded XML, XML that is not an invoice,
limits passed, password protection, broken, truncated or damaged bytes: each a clean
error, never a crash."""

from __future__ import annotations

import io

import facturx
import pytest
from pypdf import PdfWriter

from payables.einvoice import facturx_pdf
from payables.einvoice.errors import (
    EInvoiceError,
    LimitExceeded,
    MalformedDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.test_facturx_pdf import EN16931, LIMITS, MINIMUM, hybrid_pdf, sample


def test_pdf_without_embedded_xml_needs_digitizing():
    with pytest.raises(
        UnsupportedFormat, match="without embedded e-invoice XML; it needs digitizing"
    ):
        facturx_pdf.parse(hybrid_pdf(), limits=LIMITS)


def test_pdf_with_only_other_attachments_needs_digitizing():
    data = hybrid_pdf(("notes.txt", b"hello"), ("data.xml", b"<orders><order/></orders>"))
    with pytest.raises(UnsupportedFormat, match="needs digitizing"):
        facturx_pdf.parse(data, limits=LIMITS)


def test_embedded_xml_that_is_not_an_invoice_is_unsupported():
    with pytest.raises(UnsupportedFormat, match=r"factur-x\.xml"):
        facturx_pdf.parse(hybrid_pdf(("factur-x.xml", b"<Order/>")), limits=LIMITS)


def test_pdf_with_more_pages_than_the_limit_is_refused():
    data = hybrid_pdf(("factur-x.xml", sample(MINIMUM)), pages=3)
    with pytest.raises(LimitExceeded, match="3 pages"):
        facturx_pdf.parse(data, limits=ParseLimits(max_pdf_pages=2))


def test_pdf_larger_than_the_limit_is_refused():
    data = hybrid_pdf(("factur-x.xml", sample(MINIMUM)))
    with pytest.raises(LimitExceeded):
        facturx_pdf.parse(data, limits=ParseLimits(max_bytes=len(data) - 1))


def test_embedded_xml_larger_than_the_limit_is_refused():
    """A small PDF can inflate to a large XML: the limit holds for the inflated bytes."""
    padding = b"<!--" + b"x" * 200_000 + b"-->"
    xml = sample(MINIMUM).replace(b"<rsm:ExchangedDocument>", padding + b"<rsm:ExchangedDocument>")
    data = facturx.generate_from_binary(hybrid_pdf(), xml, check_xsd=False)
    assert len(data) < len(xml)
    with pytest.raises(LimitExceeded, match=r"factur-x\.xml"):
        facturx_pdf.parse(data, limits=ParseLimits(max_bytes=len(data) + 1))


def test_password_protected_pdf_is_refused():
    writer = PdfWriter(clone_from=io.BytesIO(hybrid_pdf(("factur-x.xml", sample(MINIMUM)))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnsupportedFormat, match="encrypted"):
        facturx_pdf.parse(buffer.getvalue(), limits=LIMITS)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n%garbage\n", b"%PDF-", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF"],
    ids=["garbage", "header-only", "no-xref"],
)
def test_broken_pdf_is_malformed(data):
    with pytest.raises(MalformedDocument, match="broken PDF"):
        facturx_pdf.parse(data, limits=LIMITS)


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.8, 0.95])
def test_truncated_pdf_parses_or_is_refused_cleanly(cut):
    data = hybrid_pdf(("factur-x.xml", sample(EN16931)))
    try:
        document = facturx_pdf.parse(data[: int(len(data) * cut)], limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings
    else:
        assert document.invoices[0].number == "INV-2024-0042"


@pytest.mark.parametrize("seed", range(12))
def test_pdf_with_damaged_bytes_parses_or_is_refused_cleanly(seed):
    data = bytearray(hybrid_pdf(("factur-x.xml", sample(EN16931))))
    step = len(data) // 13
    position = step * (seed + 1)
    data[position : position + 16] = b"\x00garbage)>>]/R 0"
    try:
        facturx_pdf.parse(bytes(data), limits=LIMITS)
    except EInvoiceError as error:
        assert error.findings
