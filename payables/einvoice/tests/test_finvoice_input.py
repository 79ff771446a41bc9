"""Finvoice input: SOAP frames and batches, encodings, and broken or hostile documents."""

from __future__ import annotations

import pytest

from payables.einvoice import finvoice
from payables.einvoice.errors import (
    LimitExceeded,
    MalformedDocument,
    UnsafeDocument,
    UnsupportedFormat,
)
from payables.einvoice.model import ParseLimits
from payables.einvoice.tests.finvoice_support import (
    CREDIT_NOTE,
    FRAME,
    ISO_DECLARATION,
    MISDECLARED,
    UTF8_BOM,
    WINDOWS_1252,
    only_invoice,
    parse,
    rule_ids,
    sample,
)

# --- frames and batches ------------------------------------------------------------------


def test_own_sample_in_a_soap_frame_gives_the_same_invoice() -> None:
    assert parse(FRAME + sample(CREDIT_NOTE)).invoices == parse(sample(CREDIT_NOTE)).invoices


def test_batch_of_framed_documents_gives_one_invoice_each() -> None:
    batch = FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + sample(WINDOWS_1252)
    numbers = [invoice.number for invoice in parse(batch).invoices]
    assert numbers == ["H-2024-0042", "77001"]


def test_batch_reads_each_document_in_its_own_encoding() -> None:
    batch = FRAME + sample(CREDIT_NOTE) + b"\n" + FRAME + sample(WINDOWS_1252)
    sellers = [invoice.seller.name for invoice in parse(batch).invoices]
    assert sellers == ["Šampanja & Žanri Oy", "Škoda Žilina Huolto Oy"]


def test_finvoice_without_declaration_after_its_frame_takes_the_frame_encoding() -> None:
    bare = sample(CREDIT_NOTE).removeprefix(ISO_DECLARATION).lstrip()
    document = parse(FRAME + bare)
    assert document.invoices[0].seller.name == "Šampanja & Žanri Oy"
    assert ("FINVOICE-ENCODING", "info") in {(f.rule_id, f.severity) for f in document.findings}


def test_file_with_only_a_frame_is_refused() -> None:
    with pytest.raises(UnsupportedFormat):
        parse(FRAME)


# --- encodings ---------------------------------------------------------------------------


def test_iso_8859_15_document_reads_euro_sign_and_caron_letters() -> None:
    invoice = only_invoice(sample(CREDIT_NOTE))
    assert (invoice.seller.name, invoice.notes[0][:14]) == ("Šampanja & Žanri Oy", "Hyvitys 358,20")
    assert "€" in invoice.notes[0]


def test_windows_1252_document_reads_euro_sign_and_caron_letters() -> None:
    invoice = only_invoice(sample(WINDOWS_1252))
    assert invoice.seller.name == "Škoda Žilina Huolto Oy"
    assert invoice.notes == ("Huolto \u201eŠkoda\u201c \u2013 310,00 € sis. alv\u2026",)


def test_utf8_document_with_byte_order_mark_parses_without_findings() -> None:
    document = parse(sample(UTF8_BOM))
    assert document.invoices[0].seller.name == "Žaluzie & Šermi Oy"
    assert document.findings == ()


@pytest.mark.parametrize("name", MISDECLARED)
def test_mismatching_declaration_is_read_as_what_the_bytes_are(name: str) -> None:
    assert parse(sample(name)).invoices == parse(sample(UTF8_BOM)).invoices


@pytest.mark.parametrize("name", MISDECLARED)
def test_mismatching_declaration_is_reported(name: str) -> None:
    (finding,) = parse(sample(name)).findings
    assert (finding.rule_id, finding.severity) == ("FINVOICE-ENCODING", "warning")


def test_latin1_declaration_over_windows_1252_bytes_reads_the_euro_sign() -> None:
    data = sample(WINDOWS_1252).replace(b'encoding="Windows-1252"', b'encoding="ISO-8859-1"', 1)
    document = parse(data)
    assert "€" in document.invoices[0].notes[0]
    assert "FINVOICE-ENCODING" in rule_ids(document)


def test_undeclared_latin_bytes_are_read_as_iso_8859_15_with_a_warning() -> None:
    document = parse(sample(CREDIT_NOTE).removeprefix(ISO_DECLARATION).lstrip())
    assert document.invoices[0].seller.name == "Šampanja & Žanri Oy"
    assert ("FINVOICE-ENCODING", "warning") in {(f.rule_id, f.severity) for f in document.findings}


def test_utf16_document_with_byte_order_mark_is_read() -> None:
    text = sample(CREDIT_NOTE).decode("iso-8859-15").replace("ISO-8859-15", "UTF-16", 1)
    data = b"\xfe\xff" + text.encode("utf-16-be")
    assert only_invoice(data).seller.name == "Šampanja & Žanri Oy"


def test_unknown_declared_encoding_is_refused_cleanly() -> None:
    data = sample(CREDIT_NOTE).replace(b"ISO-8859-15", b"X-NO-SUCH-CHARSET", 1)
    with pytest.raises(MalformedDocument, match="Unsupported encoding"):
        parse(data)


# --- broken and hostile documents --------------------------------------------------------


def test_amount_that_is_not_a_number_is_refused_with_its_location() -> None:
    data = sample(CREDIT_NOTE).replace(
        b">-290,00</InvoiceTotalVatExcludedAmount>", b">-29O,00</InvoiceTotalVatExcludedAmount>"
    )
    with pytest.raises(MalformedDocument) as refused:
        parse(data)
    assert refused.value.findings[0].location.endswith("/InvoiceTotalVatExcludedAmount")


def test_impossible_date_is_reported_and_read_as_absent() -> None:
    data = sample(CREDIT_NOTE).replace(b">20241015</InvoiceDate>", b">20241315</InvoiceDate>")
    document = parse(data)
    assert document.invoices[0].issue_date is None
    assert "FINVOICE-DATE" in rule_ids(document)


def test_document_without_invoice_details_is_refused() -> None:
    with pytest.raises(MalformedDocument):
        parse(b'<?xml version="1.0"?><Finvoice Version="3.0"><SellerPartyDetails/></Finvoice>')


def test_external_finvoice_dtd_reference_is_ignored() -> None:
    data = sample(CREDIT_NOTE).replace(
        ISO_DECLARATION, ISO_DECLARATION + b'\n<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">', 1
    )
    document = parse(data)
    assert document.invoices == parse(sample(CREDIT_NOTE)).invoices
    assert "FINVOICE-DOCTYPE" in rule_ids(document)


def test_doctype_with_entities_is_refused() -> None:
    data = sample(CREDIT_NOTE).replace(
        ISO_DECLARATION, ISO_DECLARATION + b'\n<!DOCTYPE Finvoice [<!ENTITY x "y">]>', 1
    )
    with pytest.raises(UnsafeDocument):
        parse(data)


def test_namespaced_finvoice_is_read_by_its_local_names() -> None:
    data = sample(CREDIT_NOTE).replace(
        b'<Finvoice Version="3.0"', b'<Finvoice xmlns="urn:x" Version="3.0"'
    )
    document = parse(data)
    assert document.invoices == parse(sample(CREDIT_NOTE)).invoices
    assert "FINVOICE-NAMESPACE" in rule_ids(document)


def test_document_over_the_byte_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded):
        finvoice.parse(sample(CREDIT_NOTE), limits=ParseLimits(max_bytes=1000))
